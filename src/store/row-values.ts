/**
 * Column values in and out of any SQL driver. Integers come back as numbers from SQLite, as
 * strings from PostgreSQL's bigint, as bigints when a driver is asked to: all become numbers, and
 * one that would lose precision is an error rather than a silently different timestamp.
 */
export function toNumber(value: number | string | bigint): number {
  const number = Number(value);
  if (!Number.isFinite(number) || (typeof value !== 'number' && !Number.isSafeInteger(number))) {
    throw new RangeError(`store returned ${String(value)}, which is not a safe number`);
  }
  return number;
}

export function toOptionalNumber(value: number | string | bigint | null): number | undefined {
  return value === null ? undefined : toNumber(value);
}

/**
 * Timestamps are integer epoch ms in bigint columns: PostgreSQL refuses a fraction there and
 * SQLite would quietly store a real, so both refuse one here, before anything is written.
 */
export function epochMs(name: string, value: number): number {
  if (!Number.isSafeInteger(value)) {
    throw new TypeError(`${name} must be an integer epoch ms, got ${String(value)}`);
  }
  return value;
}

export function integer(name: string, value: number): number {
  if (!Number.isSafeInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${String(value)}`);
  }
  return value;
}

/** JSON for a text column. Fails (before any write) on what JSON cannot hold, e.g. a cycle. */
export function toJson(name: string, value: unknown): string {
  const text = JSON.stringify(value ?? null);
  if (text === undefined) throw new TypeError(`${name} cannot be stored as JSON`);
  return text;
}

/**
 * Reads back a JSON column. The store wrote it from a value of type T, so the cast holds unless
 * someone edited the row by hand.
 */
export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/**
 * Replaces every occurrence of each secret value with `[redacted]`. Everything a run records
 * (journal payloads, step output, log lines, audit details, live view) passes through one of
 * these, so a secret echoed by a command or reflected by a server is not kept either.
 */
export const REDACTED = '[redacted]';

export class Redactor {
  #secrets: string[] = [];

  constructor(secrets: readonly string[] = []) {
    for (const secret of secrets) this.add(secret);
  }

  add(secret: string): void {
    if (secret === '' || this.#secrets.includes(secret)) return;
    // Longest first, so a secret that contains another is replaced whole.
    this.#secrets = [...this.#secrets, secret].sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.#secrets) out = out.replaceAll(secret, REDACTED);
    return out;
  }

  /** A JSON-like value with every string (keys included) redacted. */
  deep<T>(value: T): T {
    if (this.#secrets.length === 0) return value;
    return this.#walk(value) as T;
  }

  #walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.#walk(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [this.text(key), this.#walk(item)]),
      );
    }
    return value;
  }
}

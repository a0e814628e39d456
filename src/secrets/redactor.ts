import { encodedForms } from './encoded-forms.ts';

export const REDACTED = '[redacted]';

/** Values this short are not redacted: replacing every "ab" in a log would hide more than it saves. */
const MIN_LENGTH = 4;

/**
 * Remembers every secret value read and cuts them out of anything before it is logged or
 * recorded: notifier errors, runbook output, journal payloads, audit params. A URL that is itself
 * the credential (a Slack webhook) is also cut by its path, since an error may quote the path
 * without the host. The common encodings of each value are cut too (base64, URL-encoding: see
 * encoded-forms.ts). Longest first, so a secret that contains another is cut whole.
 */
export class Redactor {
  #values: string[] = [];
  /** The values and their encoded forms, longest first. */
  #cuts: { pattern: string | RegExp; length: number }[] = [];

  constructor(secrets: readonly string[] = []) {
    for (const secret of secrets) this.add(secret);
  }

  add(value: string): void {
    if (!this.#remember(value)) return;
    const path = urlPath(value);
    if (path !== undefined && path.length >= 8) this.#remember(path);
    this.#cuts.push(...encodedForms(value, MIN_LENGTH));
    this.#cuts.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const { pattern } of this.#cuts) {
      out =
        typeof pattern === 'string'
          ? out.replaceAll(pattern, REDACTED)
          : out.replace(pattern, REDACTED);
    }
    return out;
  }

  /** A JSON-like value with every string (keys included) redacted. */
  deep<T>(value: T): T {
    if (this.#values.length === 0) return value;
    return this.#walk(value) as T;
  }

  /** Whether the value is new and long enough to cut. */
  #remember(value: string): boolean {
    if (value.length < MIN_LENGTH || this.#values.includes(value)) return false;
    this.#values.push(value);
    this.#cuts.push({ pattern: value, length: value.length });
    this.#cuts.sort((a, b) => b.length - a.length);
    return true;
  }

  #walk(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.#walk(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [this.redact(key), this.#walk(item)]),
      );
    }
    return value;
  }
}

function urlPath(value: string): string | undefined {
  if (!/^https?:\/\//i.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.pathname.length > 1 ? `${url.pathname}${url.search}` : undefined;
  } catch {
    return undefined;
  }
}

export const REDACTED = '[redacted]';

/** Shorter values are not redacted: replacing every "ab" in a log would hide more than it saves. */
const MIN_LENGTH = 4;

/**
 * Remembers every secret value read, and cuts them out of any text before it is logged or
 * recorded. A URL that is itself the credential (a Slack webhook) is also cut by its path, since
 * an error message may quote the path without the host.
 */
export class Redactor {
  readonly #values = new Set<string>();

  add(value: string): void {
    if (value.length >= MIN_LENGTH) this.#values.add(value);
    const path = urlPath(value);
    if (path !== undefined && path.length >= 8) this.#values.add(path);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a URL is cut whole rather than leaving its host around a cut path.
    for (const value of [...this.#values].sort((a, b) => b.length - a.length)) {
      out = out.replaceAll(value, REDACTED);
    }
    return out;
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

/**
 * A store given as a URL (`postgres://` or `postgresql://`) is PostgreSQL; anything else is an
 * SQLite file path. The URL may carry a password: it is a secret, so every message, log line and
 * summary names the store by `redactedUrl`, never by the URL as given.
 */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/** The URL with its password (and any `password=` parameter) replaced by `***`. */
export function redactedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Unparseable: keep only the scheme, so a password in a malformed URL is not echoed either.
    return `${url.slice(0, url.indexOf('://') + 3)}***`;
  }
  if (parsed.password !== '') parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass|secret|key/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString().replaceAll('%2A%2A%2A', '***');
}

/** How messages name a store: a file path as given, a PostgreSQL URL without its password. */
export function storeName(db: string): string {
  return isPostgresUrl(db) ? redactedUrl(db) : db;
}

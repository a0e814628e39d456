import { StoreError, type StoreErrorKind } from './store-error.ts';

/**
 * PostgreSQL's SQLSTATE classes and codes that say something about the database rather than
 * about mend's SQL (https://www.postgresql.org/docs/current/errcodes-appendix.html), as the same
 * kinds SQLite's result codes map to, so an outage is handled the same whichever store has it.
 */
const CODES: Record<string, StoreErrorKind> = {
  '25006': 'readonly', // read_only_sql_transaction (default_transaction_read_only, a standby)
  '42501': 'readonly', // insufficient_privilege
  '53100': 'full', // disk_full
  '53200': 'full', // out_of_memory
  '53300': 'unavailable', // too_many_connections
  '55P03': 'locked', // lock_not_available (lock_timeout)
  '57014': 'locked', // query_canceled (statement_timeout)
  '40001': 'locked', // serialization_failure
  '40P01': 'locked', // deadlock_detected
  '57P01': 'unavailable', // admin_shutdown
  '57P02': 'unavailable', // crash_shutdown
  '57P03': 'unavailable', // cannot_connect_now (starting up, in recovery)
  '3D000': 'unavailable', // invalid_catalog_name: the database does not exist
  '3F000': 'unavailable', // invalid_schema_name
  XX001: 'corrupt', // data_corrupted
  XX002: 'corrupt', // index_corrupted
};

/** Whole classes: connection exceptions, authorization, insufficient resources, system errors. */
const CLASSES: Record<string, StoreErrorKind> = {
  '08': 'unavailable',
  '28': 'unavailable',
  '53': 'full',
  '58': 'unavailable',
};

/** The network's errnos, and pg's own messages for a connection that failed or dropped. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Client was closed|Connection ended|Cannot use a pool after calling end/i;

/**
 * Turns a pg error into a StoreError when it is a failure of the database or of the way to it;
 * returns undefined for everything else (a constraint, a trigger's refusal, a bug in mend's SQL),
 * which the caller rethrows. `name` is the store as messages say it (its URL, redacted).
 */
export function classifyPostgresError(error: unknown, name: string): StoreError | undefined {
  const kind = kindOf(error);
  if (kind === undefined) return undefined;
  const code = codeOf(error);
  const said = `${code === undefined ? '' : `${code}: `}${error instanceof Error ? error.message : String(error)}`;
  return new StoreError(kind, name, explain(kind, said, name), { cause: error });
}

function kindOf(error: unknown): StoreErrorKind | undefined {
  const code = codeOf(error);
  if (code !== undefined) {
    if (NETWORK_CODES.has(code)) return 'unavailable';
    if (/^[0-9A-Z]{5}$/.test(code)) return CODES[code] ?? CLASSES[code.slice(0, 2)];
  }
  if (error instanceof AggregateError) return kindOf(error.errors[0]);
  if (error instanceof Error && CONNECTION_MESSAGES.test(error.message)) return 'unavailable';
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function explain(kind: StoreErrorKind, said: string, name: string): string {
  switch (kind) {
    case 'locked':
      return `store ${name} did not answer in time (${said}): a long transaction or a lock held by another session; mend holds what it could not record and tries again, and if it lasts look at pg_stat_activity`;
    case 'readonly':
      return `store ${name} cannot be written (${said}): the server or the session is read-only (a standby, default_transaction_read_only) or mend's role lacks the grants docs/store.md lists; point --db at the primary or grant them`;
    case 'full':
      return `store ${name} is full (${said}): free space on the PostgreSQL server's volume, then it records again; everything recorded before is kept`;
    case 'corrupt':
      return `store ${name} reports damaged data (${said}): see the PostgreSQL server's log and restore from a backup`;
    case 'unavailable':
      return `store ${name} cannot be reached or used (${said}): check that PostgreSQL runs, that the URL names the right host, port, database and user, and that mend may connect`;
    case 'replaced':
      return `store ${name} is not the database it opened (${said}): restart mend`;
  }
}

/** A search_path that names no schema that exists: nowhere to keep or lock the store. */
export function noSchemaError(name: string): StoreError {
  return new StoreError(
    'unavailable',
    name,
    `store ${name} has no schema to use: no schema of its search_path exists; create it (create schema NAME) or fix options=-c search_path=NAME in the URL`,
  );
}

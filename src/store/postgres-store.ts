import { Kysely } from 'kysely';
import pg from 'pg';
import { KyselyStore } from './kysely-store.ts';
import { MIGRATION_LOCK_TABLE } from './migrations/index.ts';
import { StorePostgresDialect } from './postgres-dialect.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { redactedUrl } from './postgres-url.ts';
import type { StoreSchema } from './schema.ts';

export interface PostgresStoreOptions {
  /** `postgres://USER:PASSWORD@HOST:PORT/DATABASE`; `?options=-c search_path=S` picks a schema. */
  url: string;
  /** The longest one statement may run before the server cancels it (a 'locked' StoreError). */
  statementTimeoutMs?: number;
  /** How long to wait for a connection (from the pool, or to the server) before 'unavailable'. */
  connectTimeoutMs?: number;
  /** Connections kept open at most (the controller, its API and its runbooks share them). */
  maxConnections?: number;
  /** How the connections name themselves in pg_stat_activity. */
  applicationName?: string;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * The shared store: PostgreSQL through pg's Pool and Kysely's PostgresDialect, with the same
 * queries and migrations as SQLite (sql-dialect.ts holds what differs). A lost connection is
 * dropped from the pool and the next call gets a new one, so the store resumes by itself once the
 * server answers again; meanwhile calls fail as StoreErrors, which the outage handling watches.
 */
export class PostgresStore extends KyselyStore {
  /**
   * Connects, migrates, and proves the database writable (a read-only standby, a role without
   * grants), so that a store that cannot record fails here, at start, saying what to do.
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const name = redactedUrl(options.url);
    const pool = createPool(options);
    const store = new PostgresStore({
      db: new Kysely<StoreSchema>({ dialect: new StorePostgresDialect({ pool }) }),
      dialect: 'postgres',
      path: name,
      classify: (error) => classifyPostgresError(error, name),
    });
    try {
      await store.migrate();
      await probeWrite(pool);
      return store;
    } catch (error) {
      await store.close();
      throw classifyPostgresError(error, name) ?? error;
    }
  }
}

/**
 * The pool, and the connection settings every connection gets. bigint (int8) columns come back
 * as numbers when they are safe integers, as strings otherwise (row-values.ts refuses those
 * loudly); the parser is this pool's own, so nothing else in the process is changed.
 */
export function createPool(options: PostgresStoreOptions): pg.Pool {
  const statementTimeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statement_timeout: statementTimeout,
    // A server that stops answering altogether (a partition) cancels nothing: give up here too.
    query_timeout: statementTimeout + 5000,
    keepAlive: true,
    application_name: options.applicationName ?? 'mend',
    types: { getTypeParser: typeParser },
  });
  // An idle connection that drops (a restart, a failover) is an 'error' event: without a
  // listener it would end the process. The pool discards it; the next call reconnects.
  pool.on('error', () => {});
  // The same for a connection in use: pg fails its query (which the caller sees, classified)
  // and also emits 'error' on the client, which the pool listens to only while it is idle.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

const INT8_OID = 20;

function typeParser(oid: number, format?: 'text' | 'binary') {
  if (oid === INT8_OID && format !== 'binary') return parseInt8;
  return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid);
}

function parseInt8(text: string): number | string {
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : text;
}

/** A write that is rolled back: a read-only server or session would otherwise fail at the first signal. */
async function probeWrite(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`update ${MIGRATION_LOCK_TABLE} set is_locked = is_locked`);
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}

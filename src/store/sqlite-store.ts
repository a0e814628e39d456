import { DatabaseSync } from 'node:sqlite';
import { Kysely } from 'kysely';
import { identityGuard } from './file-identity.ts';
import { KyselyStore } from './kysely-store.ts';
import { MIGRATION_LOCK_TABLE } from './migrations/index.ts';
import { NodeSqliteDialect } from './node-sqlite-dialect.ts';
import type { StoreSchema } from './schema.ts';
import { classifySqliteError, type SqliteErrorContext } from './sqlite-errors.ts';
import { StoreError } from './store-error.ts';
import { createFolder, createPrivateFile } from './store-files.ts';

export interface SqliteStoreOptions {
  /** A database file (it and its folder are created when missing, 0600 and 0700), or ':memory:'. */
  path: string;
  /** How long a write waits for another process's lock before failing as 'locked'. */
  busyTimeoutMs?: number;
  /** A cap on the database's size: past it, writes fail as 'full', as on a full volume. */
  maxSizeBytes?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** The embedded store: one SQLite file through node:sqlite, for a single mend process. */
export class SqliteStore extends KyselyStore {
  /**
   * Opens (creating when missing), migrates, and proves the file writable, so that a store that
   * cannot record fails here, at start, with a StoreError saying what to do.
   */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const context = {
      path: options.path,
      busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
    };
    if (options.path !== ':memory:') {
      await createFolder(options.path);
      await createPrivateFile(options.path);
    }
    const database = connect(context);
    const store = new SqliteStore({
      db: new Kysely<StoreSchema>({ dialect: new NodeSqliteDialect(database) }),
      dialect: 'sqlite',
      path: options.path,
      classify: (error) => classifySqliteError(error, context),
      ...(options.path !== ':memory:' ? { guard: identityGuard(options.path) } : {}),
      dataVersion: dataVersionOf(database),
    });
    try {
      configure(database, options.maxSizeBytes);
      await store.migrate();
      probeWrite(database);
      if (options.maxSizeBytes !== undefined) {
        refuseWhenFull(database, options.path, options.maxSizeBytes);
      }
      return store;
    } catch (error) {
      await store.close();
      if (database.isOpen) database.close();
      throw classifySqliteError(error, context) ?? error;
    }
  }
}

function connect(context: SqliteErrorContext): DatabaseSync {
  try {
    return new DatabaseSync(context.path, {
      timeout: context.busyTimeoutMs,
      enableForeignKeyConstraints: true,
    });
  } catch (error) {
    throw classifySqliteError(error, context) ?? error;
  }
}

function configure(database: DatabaseSync, maxSizeBytes: number | undefined): void {
  // WAL: readers never wait for the writer, and a crash cannot tear a committed transaction.
  database.exec('pragma journal_mode = wal');
  // FULL syncs the WAL at every commit: "recorded" must survive a power cut, not only a crash,
  // and mend writes transitions, not every probe result, so the cost is small.
  database.exec('pragma synchronous = full');
  database.exec('pragma foreign_keys = on');
  if (maxSizeBytes !== undefined) {
    const pageSize = pragma(database, 'page_size');
    database.exec(`pragma max_page_count = ${Math.max(1, Math.ceil(maxSizeBytes / pageSize))}`);
  }
}

/**
 * A store at its size cap with no free page takes no write: refused at start, as the volume
 * being full would be at the first write.
 */
function refuseWhenFull(database: DatabaseSync, path: string, maxSizeBytes: number): void {
  const pages = pragma(database, 'page_count');
  if (pages < pragma(database, 'max_page_count') || pragma(database, 'freelist_count') > 0) return;
  const size = pages * pragma(database, 'page_size');
  throw new StoreError(
    'full',
    path,
    `store ${path} is full: it has reached its size cap (${size} bytes, asked for ${maxSizeBytes}): raise the cap (--db-max-size), or move the file aside and start on a new store; everything recorded is kept`,
  );
}

/**
 * SQLite's count of commits by other connections to the file (`pragma data_version`): what the
 * store keeps between calls (tokens found) is good while it has not moved. Prepared at the first
 * call, after the store is configured.
 */
function dataVersionOf(database: DatabaseSync): () => number {
  let statement: ReturnType<DatabaseSync['prepare']> | undefined;
  return () => {
    statement ??= database.prepare('pragma data_version');
    return Number(statement.get()?.data_version);
  };
}

function pragma(database: DatabaseSync, name: string): number {
  const row = database.prepare(`pragma ${name}`).get();
  return Number(row?.[name]);
}

/**
 * A write that is rolled back: a file that cannot be written (or is locked by another process)
 * opens and reads fine under WAL, and would otherwise fail only at the first signal.
 */
function probeWrite(database: DatabaseSync): void {
  database.exec('begin immediate');
  try {
    database.exec(`update ${MIGRATION_LOCK_TABLE} set is_locked = is_locked`);
  } finally {
    if (database.isTransaction) database.exec('rollback');
  }
}

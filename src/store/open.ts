import type { KyselyStore } from './kysely-store.ts';
import { isPostgresUrl } from './postgres-url.ts';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
import { acquireSqliteStoreLock, lockPathOf } from './sqlite-store-lock.ts';
import type { Store } from './store.ts';
import { loosePermissions } from './store-files.ts';
import type { StoreLock } from './store-lock.ts';

export interface OpenStoreOptions extends SqliteStoreOptions {
  /** PostgreSQL only: the longest a statement may run (see PostgresStore). */
  statementTimeoutMs?: number;
}

/**
 * Opens the store mend runs on: migrated, writable, or a StoreError that says what to do.
 * `path` chooses it: a `postgres://` or `postgresql://` URL is PostgreSQL, anything else an
 * SQLite file (maxSizeBytes and busyTimeoutMs are SQLite's alone).
 */
export function openStore(options: OpenStoreOptions): Promise<Store> {
  return openKyselyStore(options);
}

/** openStore, as the implementation it is: for tools that need the tables (store copy). */
export async function openKyselyStore(options: OpenStoreOptions): Promise<KyselyStore> {
  if (isPostgresUrl(options.path)) {
    // Loaded only for PostgreSQL: a mend on SQLite never loads pg.
    const { PostgresStore } = await import('./postgres-store.ts');
    return PostgresStore.open({
      url: options.path,
      ...(options.statementTimeoutMs !== undefined
        ? { statementTimeoutMs: options.statementTimeoutMs }
        : {}),
    });
  }
  return SqliteStore.open(options);
}

/**
 * Takes the runner lock of the store at `path`, for as long as this process runs on it: rejects
 * with a StoreLockedError naming the runner that holds it. Only runners take it (`mend run`,
 * `mend demo`); readers and operator requests do not. A replica takes its share of it
 * (PostgreSQL only): replicas run side by side, and keep a runner that is not one out.
 */
export async function lockStore(options: { path: string; replica?: boolean }): Promise<StoreLock> {
  if (isPostgresUrl(options.path)) {
    const { acquirePostgresStoreLock } = await import('./postgres-store-lock.ts');
    return acquirePostgresStoreLock(options.path, undefined, { replica: options.replica === true });
  }
  if (options.replica === true) {
    throw new Error(
      `replicas need a PostgreSQL store, and ${options.path} is an SQLite file: one mend runs on it at a time. Pass --db postgres://... (docs/replicas.md), or run without --replica`,
    );
  }
  return acquireSqliteStoreLock(options.path);
}

/**
 * The files of the store at `path` that others than their owner may read or write, each with its
 * mode: mend creates them 0600 and leaves existing ones as they are, so `mend run` warns.
 */
export function storeFilesOpenToOthers(path: string): string[] {
  if (path === ':memory:' || isPostgresUrl(path)) return [];
  return loosePermissions(
    ['', '-wal', '-shm'].map((suffix) => `${path}${suffix}`).concat(lockPathOf(path)),
  );
}

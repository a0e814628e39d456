import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
import type { Store } from './store.ts';

export type OpenStoreOptions = SqliteStoreOptions;

/**
 * Opens the store mend runs on: migrated, writable, or a StoreError that says what to do.
 * Today always SQLite; a PostgreSQL URL will choose the PostgreSQL store here.
 */
export function openStore(options: OpenStoreOptions): Promise<Store> {
  return SqliteStore.open(options);
}

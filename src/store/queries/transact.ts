import type { Kysely, Transaction } from 'kysely';
import type { StoreSchema } from '../schema.ts';

/**
 * Runs `body` in a transaction: a new one, or the one `db` already is. A fenced write
 * (kysely-store.ts) opens the transaction and checks the leader's epoch in it first; the query
 * it then runs must join that transaction, not open another one beside it.
 */
export function transact<T>(
  db: Kysely<StoreSchema>,
  body: (trx: Transaction<StoreSchema>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return body(db as Transaction<StoreSchema>);
  return db.transaction().execute(body);
}

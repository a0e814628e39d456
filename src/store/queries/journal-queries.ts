import type { Kysely } from 'kysely';
import { journalEntry, journalRow } from '../rows.ts';
import type { StoreSchema } from '../schema.ts';
import type { JournalEntry, StoredJournalEntry } from '../store.ts';
import { transact } from './transact.ts';

export async function appendJournal(
  db: Kysely<StoreSchema>,
  entry: JournalEntry,
): Promise<{ created: boolean; entry: StoredJournalEntry }> {
  const values = journalRow(entry);
  return transact(db, async (trx) => {
    // The unique (idempotency_key, phase) decides, even between replicas racing for a step.
    const inserted = await trx
      .insertInto('runbook_journal')
      .values(values)
      .onConflict((conflict) => conflict.columns(['idempotency_key', 'phase']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted !== undefined) return { created: true, entry: journalEntry(inserted) };
    const first = await trx
      .selectFrom('runbook_journal')
      .selectAll()
      .where('idempotency_key', '=', entry.idempotencyKey)
      .where('phase', '=', entry.phase)
      .executeTakeFirstOrThrow();
    return { created: false, entry: journalEntry(first) };
  });
}

export async function listJournal(
  db: Kysely<StoreSchema>,
  runId: string,
): Promise<StoredJournalEntry[]> {
  const rows = await db
    .selectFrom('runbook_journal')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('id')
    .execute();
  return rows.map(journalEntry);
}

/** Every run's journal after entry `afterId`, in append order: what the API's stream follows. */
export async function journalAfter(
  db: Kysely<StoreSchema>,
  afterId: number,
  limit: number,
): Promise<StoredJournalEntry[]> {
  const rows = await db
    .selectFrom('runbook_journal')
    .selectAll()
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(journalEntry);
}

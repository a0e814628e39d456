import type { Kysely } from 'kysely';
import { engineSnapshot, snapshotRow } from '../decision-rows.ts';
import type { StoreSchema } from '../schema.ts';
import { type EngineSnapshot, SNAPSHOTS_KEPT } from '../store.ts';
import { transact } from './transact.ts';

export async function saveSnapshot(
  db: Kysely<StoreSchema>,
  snapshot: EngineSnapshot,
): Promise<void> {
  const values = snapshotRow(snapshot);
  await transact(db, async (trx) => {
    // A snapshot after an input that was never recorded would make replay skip inputs.
    if (values.input_seq > 0) {
      const input = await trx
        .selectFrom('engine_inputs')
        .select('seq')
        .where('seq', '=', values.input_seq)
        .executeTakeFirst();
      if (input === undefined) {
        throw new RangeError(`engine input ${values.input_seq} does not exist`);
      }
    }
    await trx.insertInto('engine_snapshots').values(values).execute();
    await trx
      .deleteFrom('engine_snapshots')
      .where('id', 'not in', (eb) =>
        eb
          .selectFrom('engine_snapshots')
          .select('id')
          .orderBy('input_seq', 'desc')
          .orderBy('id', 'desc')
          .limit(SNAPSHOTS_KEPT),
      )
      .execute();
  });
}

export async function latestSnapshot(db: Kysely<StoreSchema>): Promise<EngineSnapshot | undefined> {
  const row = await db
    .selectFrom('engine_snapshots')
    .selectAll()
    .orderBy('input_seq', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : engineSnapshot(row);
}

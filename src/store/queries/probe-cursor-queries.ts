import type { Kysely } from 'kysely';
import { toNumber } from '../row-values.ts';
import type { StoreSchema } from '../schema.ts';
import type { ProbeCursor } from '../store.ts';

/** SQLite binds at most 32766 variables a statement; a row takes 3. */
const ROWS_PER_INSERT = 1000;

export async function saveProbeCursors(
  db: Kysely<StoreSchema>,
  cursors: readonly ProbeCursor[],
): Promise<void> {
  const rows = cursors.map(({ check, cursor, updatedAt }) => {
    if (!Number.isSafeInteger(updatedAt)) {
      throw new TypeError(`updatedAt must be integer epoch ms, got ${updatedAt}`);
    }
    return { check_key: check, cursor: JSON.stringify(cursor), updated_at: updatedAt };
  });
  if (rows.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await trx
        .insertInto('probe_cursors')
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .onConflict((conflict) =>
          conflict.column('check_key').doUpdateSet((eb) => ({
            cursor: eb.ref('excluded.cursor'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  });
}

export async function listProbeCursors(db: Kysely<StoreSchema>): Promise<ProbeCursor[]> {
  const rows = await db.selectFrom('probe_cursors').selectAll().orderBy('check_key').execute();
  return rows.map((row) => ({
    check: row.check_key,
    cursor: JSON.parse(row.cursor) as unknown,
    updatedAt: toNumber(row.updated_at),
  }));
}

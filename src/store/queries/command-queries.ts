import type { Kysely } from 'kysely';
import { storedCommand } from '../decision-rows.ts';
import { epochMs, integer } from '../row-values.ts';
import type { StoreSchema } from '../schema.ts';
import type { CommandChange, CommandFilter, CommandStatus, StoredCommand } from '../store.ts';
import { transact } from './transact.ts';

/** The statuses a command may come from to reach each status. */
const COMES_FROM: Record<CommandChange['status'], CommandStatus[]> = {
  dispatched: ['planned'],
  succeeded: ['planned', 'dispatched'],
  failed: ['planned', 'dispatched'],
  unknown: ['planned', 'dispatched'],
};

export async function updateCommand(
  db: Kysely<StoreSchema>,
  id: string,
  change: CommandChange,
): Promise<void> {
  const from = COMES_FROM[change.status];
  if (from === undefined) throw new TypeError(`cannot set a command's status to ${change.status}`);
  const at = epochMs('at', change.at);
  const set = change.detail === undefined ? {} : { detail: change.detail };
  await transact(db, async (trx) => {
    // Conditional, so that of two racing reports only one moves the command.
    const updated = await trx
      .updateTable('commands')
      .set({ ...set, status: change.status, updated_at: at })
      .where('id', '=', id)
      .where('status', 'in', from)
      .returning('id')
      .executeTakeFirst();
    if (updated !== undefined) return;
    const current = await trx
      .selectFrom('commands')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirst();
    if (current === undefined) throw new RangeError(`command ${id} was never planned`);
    if (current.status === change.status) return;
    throw new RangeError(`command ${id} is ${current.status}: it cannot become ${change.status}`);
  });
}

export async function markDispatched(
  db: Kysely<StoreSchema>,
  id: string,
  at: number,
): Promise<boolean> {
  const updated = await db
    .updateTable('commands')
    .set({ status: 'dispatched', updated_at: epochMs('at', at) })
    .where('id', '=', id)
    .where('status', '=', 'planned')
    .returning('id')
    .executeTakeFirst();
  if (updated !== undefined) return true;
  const current = await db
    .selectFrom('commands')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  if (current === undefined) throw new RangeError(`command ${id} was never planned`);
  return false;
}

export async function listCommands(
  db: Kysely<StoreSchema>,
  filter: CommandFilter,
): Promise<StoredCommand[]> {
  let query = db.selectFrom('commands').selectAll();
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.incidentId !== undefined) query = query.where('incident_key', '=', filter.incidentId);
  query = query.orderBy('input_seq').orderBy('position');
  if (filter.limit !== undefined) {
    const limit = integer('limit', filter.limit);
    if (limit < 0) throw new RangeError(`limit must be >= 0, got ${limit}`);
    query = query.limit(limit);
  }
  return (await query.execute()).map(storedCommand);
}

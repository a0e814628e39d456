import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Observation } from '../../signals/observation.ts';
import type { Signal } from '../../signals/signal.ts';
import { toNumber } from '../row-values.ts';
import {
  type ObservationValues,
  observation,
  observationRow,
  signalRow,
  storedSignal,
} from '../rows.ts';
import type { StoreSchema } from '../schema.ts';
import type { SignalFilter, StoredSignal } from '../store.ts';
import { checkWindow } from './time-window.ts';

/** Fewer bound values per query than any driver's limit (SQLite's default is 32766). */
const CHUNK = 500;

/** A signal's rows, validated and serialised: a bad value fails before anything is written. */
export interface SignalValues {
  signal: Insertable<StoreSchema['signals']>;
  evidence: ObservationValues[];
}

export function signalValues(signal: Signal): SignalValues {
  return { signal: signalRow(signal), evidence: signal.evidence.map(observationRow) };
}

/** Writes a signal and its evidence; the caller's transaction makes them one. */
export async function insertSignal(
  trx: Transaction<StoreSchema>,
  values: SignalValues,
): Promise<number> {
  const { id } = await trx
    .insertInto('signals')
    .values(values.signal)
    .returning('id')
    .executeTakeFirstOrThrow();
  const signalId = toNumber(id);
  if (values.evidence.length > 0) {
    await trx
      .insertInto('observations')
      .values(values.evidence.map((row, position) => ({ ...row, signal_id: signalId, position })))
      .execute();
  }
  return signalId;
}

export async function listSignals(
  db: Kysely<StoreSchema>,
  filter: SignalFilter,
): Promise<StoredSignal[]> {
  const { since, until, limit, direction } = checkWindow(filter);
  let query = db.selectFrom('signals').selectAll();
  if (filter.service !== undefined) query = query.where('service', '=', filter.service);
  if (since !== undefined) query = query.where('at', '>=', since);
  if (until !== undefined) query = query.where('at', '<', until);
  query = query.orderBy('at', direction).orderBy('id', direction);
  if (limit !== undefined) query = query.limit(limit);
  const rows = await query.execute();
  // A signal and its evidence commit together and never change, so a second read is consistent.
  const evidence = await evidenceOf(
    db,
    rows.map((row) => toNumber(row.id)),
  );
  return rows.map((row) => storedSignal(row, evidence.get(toNumber(row.id)) ?? []));
}

async function evidenceOf(
  db: Kysely<StoreSchema>,
  signalIds: number[],
): Promise<Map<number, Observation[]>> {
  const bySignal = new Map<number, Observation[]>(signalIds.map((id) => [id, []]));
  for (let start = 0; start < signalIds.length; start += CHUNK) {
    const rows = await db
      .selectFrom('observations')
      .selectAll()
      .where('signal_id', 'in', signalIds.slice(start, start + CHUNK))
      .orderBy('signal_id')
      .orderBy('position')
      .execute();
    for (const row of rows) bySignal.get(toNumber(row.signal_id))?.push(observation(row));
  }
  return bySignal;
}

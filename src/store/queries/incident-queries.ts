import type { Insertable, Kysely, Transaction } from 'kysely';
import { toNumber } from '../row-values.ts';
import { type IncidentEventValues, incident, incidentEvent, incidentEventRow } from '../rows.ts';
import type { StoreSchema } from '../schema.ts';
import type {
  Incident,
  IncidentFilter,
  IncidentWithTimeline,
  NewIncidentEvent,
  StoredIncidentEvent,
} from '../store.ts';
import { checkWindow } from './time-window.ts';
import { transact } from './transact.ts';

/*
 * An incident is named by the engine's id, kept in group_key, which 0003 makes unique. The row's
 * integer id stays in here: it is what incident_events and runbook_journal reference.
 */

/** Opens an incident with its 'opened' event, in recordDecision's transaction. */
export async function insertIncident(
  trx: Transaction<StoreSchema>,
  values: Insertable<StoreSchema['incidents']>,
): Promise<void> {
  // The unique index decides, so two replicas opening the same incident at once end up with one.
  const inserted = await trx
    .insertInto('incidents')
    .values(values)
    .onConflict((conflict) => conflict.column('group_key').doNothing())
    .returning(['id', 'opened_at', 'title'])
    .executeTakeFirst();
  if (inserted === undefined) {
    await refuseReopening(trx, values.group_key);
    return;
  }
  await trx
    .insertInto('incident_events')
    .values({
      ...incidentEventRow({
        at: toNumber(inserted.opened_at),
        type: 'opened',
        payload: { title: inserted.title },
      }),
      incident_id: toNumber(inserted.id),
    })
    .execute();
}

/**
 * An incident that is open already was opened by a replica that won the race: nothing to do. One
 * that is resolved would be an id opened twice, which the engine never does (its counter is
 * rebuilt from the recorded inputs): refused, rather than mixed into the old incident's timeline.
 */
async function refuseReopening(trx: Transaction<StoreSchema>, id: string): Promise<void> {
  const existing = await trx
    .selectFrom('incidents')
    .select('status')
    .where('group_key', '=', id)
    .executeTakeFirstOrThrow();
  if (existing.status === 'open') return;
  throw new RangeError(
    `incident ${id} is resolved and cannot be opened again: an incident id names one incident`,
  );
}

export async function appendIncidentEvent(
  db: Kysely<StoreSchema>,
  event: NewIncidentEvent,
): Promise<StoredIncidentEvent> {
  const values = incidentEventRow(event);
  return transact(db, async (trx) => {
    const row = await trx
      .insertInto('incident_events')
      .values({ ...values, incident_id: await rowIdOf(trx, event.incidentId) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return incidentEvent(row, event.incidentId);
  });
}

/** An event recordDecision writes, in its transaction. */
export async function insertIncidentEvent(
  trx: Transaction<StoreSchema>,
  id: string,
  values: IncidentEventValues,
): Promise<void> {
  await trx
    .insertInto('incident_events')
    .values({ ...values, incident_id: await rowIdOf(trx, id) })
    .execute();
}

export async function getIncident(
  db: Kysely<StoreSchema>,
  id: string,
): Promise<IncidentWithTimeline | undefined> {
  const row = await db
    .selectFrom('incidents')
    .selectAll()
    .where('group_key', '=', id)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const events = await db
    .selectFrom('incident_events')
    .selectAll()
    .where('incident_id', '=', toNumber(row.id))
    .orderBy('at')
    .orderBy('id')
    .execute();
  return { ...incident(row), timeline: events.map((event) => incidentEvent(event, id)) };
}

export async function listIncidents(
  db: Kysely<StoreSchema>,
  filter: IncidentFilter,
): Promise<Incident[]> {
  const { since, until, limit, direction } = checkWindow(filter);
  let query = db.selectFrom('incidents').selectAll();
  if (filter.service !== undefined) query = query.where('service', '=', filter.service);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (since !== undefined) query = query.where('opened_at', '>=', since);
  if (until !== undefined) query = query.where('opened_at', '<', until);
  if (filter.after !== undefined) {
    const cursor = await db
      .selectFrom('incidents')
      .select(['id', 'opened_at'])
      .where('group_key', '=', filter.after)
      .executeTakeFirst();
    if (cursor === undefined) {
      throw new RangeError(`incident ${filter.after} does not exist: a cursor names a listed one`);
    }
    const later = direction === 'asc' ? '>' : '<';
    query = query.where((eb) =>
      eb.or([
        eb('opened_at', later, cursor.opened_at),
        eb.and([eb('opened_at', '=', cursor.opened_at), eb('id', later, cursor.id)]),
      ]),
    );
  }
  query = query.orderBy('opened_at', direction).orderBy('id', direction);
  if (limit !== undefined) query = query.limit(limit);
  return (await query.execute()).map(incident);
}

/** Resolves an open incident with its 'resolved' event; a resolved one stays as it was. */
export async function markResolved(
  trx: Transaction<StoreSchema>,
  id: string,
  at: number,
  reason: string,
): Promise<void> {
  // Update first, conditionally: of two concurrent resolvers exactly one sees the open row.
  const resolved = await trx
    .updateTable('incidents')
    .set({ status: 'resolved', resolved_at: at })
    .where('group_key', '=', id)
    .where('status', '=', 'open')
    .returning('id')
    .executeTakeFirst();
  if (resolved === undefined) {
    await rowIdOf(trx, id); // refuses an id the store does not have
    return;
  }
  await trx
    .insertInto('incident_events')
    .values({
      ...incidentEventRow({ at, type: 'resolved', payload: { reason } }),
      incident_id: toNumber(resolved.id),
    })
    .execute();
}

/** The row an engine id names; a clear error instead of a foreign-key violation. */
async function rowIdOf(trx: Transaction<StoreSchema>, id: string): Promise<number> {
  const row = await trx
    .selectFrom('incidents')
    .select('id')
    .where('group_key', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw new RangeError(`incident ${id} does not exist`);
  return toNumber(row.id);
}

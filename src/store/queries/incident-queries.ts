import { type Insertable, type Kysely, sql, type Transaction } from 'kysely';
import { epochMs, integer, toNumber } from '../row-values.ts';
import { incident, incidentEvent, incidentEventRow, incidentRow } from '../rows.ts';
import type { StoreSchema } from '../schema.ts';
import type {
  Incident,
  IncidentFilter,
  IncidentWithTimeline,
  NewIncident,
  NewIncidentEvent,
  Resolution,
  StoredIncidentEvent,
} from '../store.ts';
import { checkWindow } from './time-window.ts';

export async function openIncident(
  db: Kysely<StoreSchema>,
  input: NewIncident,
): Promise<{ created: boolean; incident: Incident }> {
  const values = incidentRow(input);
  return db.transaction().execute((trx) => insertIncident(trx, values));
}

/** openIncident's writes, in the caller's transaction. */
export async function insertIncident(
  trx: Transaction<StoreSchema>,
  values: Insertable<StoreSchema['incidents']>,
): Promise<{ created: boolean; incident: Incident }> {
  // The partial unique index (one open incident per group) decides, so two replicas opening
  // the same incident at once end up with one; the predicate must repeat the index's literally.
  const inserted = await trx
    .insertInto('incidents')
    .values(values)
    .onConflict((conflict) =>
      conflict.column('group_key').where(sql<boolean>`status = 'open'`).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  if (inserted === undefined) {
    const open = await trx
      .selectFrom('incidents')
      .selectAll()
      .where('group_key', '=', values.group_key)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    return { created: false, incident: incident(open) };
  }
  const opened = incident(inserted);
  await trx
    .insertInto('incident_events')
    .values(
      incidentEventRow({
        incidentId: opened.id,
        at: opened.openedAt,
        type: 'opened',
        payload: { title: opened.title, groupKey: opened.groupKey },
      }),
    )
    .execute();
  return { created: true, incident: opened };
}

export async function appendIncidentEvent(
  db: Kysely<StoreSchema>,
  event: NewIncidentEvent,
): Promise<StoredIncidentEvent> {
  const values = incidentEventRow(event);
  return db.transaction().execute(async (trx) => {
    await requireIncident(trx, event.incidentId);
    const row = await trx
      .insertInto('incident_events')
      .values(values)
      .returningAll()
      .executeTakeFirstOrThrow();
    return incidentEvent(row);
  });
}

export async function getIncident(
  db: Kysely<StoreSchema>,
  id: number,
): Promise<IncidentWithTimeline | undefined> {
  const row = await db
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', integer('id', id))
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const events = await db
    .selectFrom('incident_events')
    .selectAll()
    .where('incident_id', '=', id)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return { ...incident(row), timeline: events.map(incidentEvent) };
}

export async function listIncidents(
  db: Kysely<StoreSchema>,
  filter: IncidentFilter,
): Promise<Incident[]> {
  const { since, until, limit, direction } = checkWindow(filter);
  let query = db.selectFrom('incidents').selectAll();
  if (filter.service !== undefined) query = query.where('service', '=', filter.service);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.groupKey !== undefined) query = query.where('group_key', '=', filter.groupKey);
  if (since !== undefined) query = query.where('opened_at', '>=', since);
  if (until !== undefined) query = query.where('opened_at', '<', until);
  query = query.orderBy('opened_at', direction).orderBy('id', direction);
  if (limit !== undefined) query = query.limit(limit);
  return (await query.execute()).map(incident);
}

export async function resolveIncident(
  db: Kysely<StoreSchema>,
  id: number,
  resolution: Resolution,
): Promise<Incident | undefined> {
  integer('id', id);
  const at = epochMs('at', resolution.at);
  return db.transaction().execute((trx) => markResolved(trx, id, at, resolution.reason));
}

/** resolveIncident's writes, in the caller's transaction. */
export async function markResolved(
  trx: Transaction<StoreSchema>,
  id: number,
  at: number,
  reason: string,
): Promise<Incident | undefined> {
  // Update first, conditionally: of two concurrent resolvers exactly one sees the open row.
  const resolved = await trx
    .updateTable('incidents')
    .set({ status: 'resolved', resolved_at: at })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirst();
  if (resolved !== undefined) {
    await trx
      .insertInto('incident_events')
      .values(incidentEventRow({ incidentId: id, at, type: 'resolved', payload: { reason } }))
      .execute();
    return incident(resolved);
  }
  const current = await trx
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return current === undefined ? undefined : incident(current);
}

/**
 * The incident an engine id names: the open one of that group key, else the most recent. One
 * open incident per key, and a key's next incident is opened only after it is resolved, so the
 * highest id is the open one when there is one.
 */
export async function incidentIdByKey(trx: Transaction<StoreSchema>, key: string): Promise<number> {
  const row = await trx
    .selectFrom('incidents')
    .select('id')
    .where('group_key', '=', key)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) throw new RangeError(`incident ${key} does not exist`);
  return toNumber(row.id);
}

/** A clear error instead of a foreign-key violation each database words differently. */
export async function requireIncident(db: Kysely<StoreSchema>, id: number): Promise<void> {
  const row = await db
    .selectFrom('incidents')
    .select('id')
    .where('id', '=', integer('incidentId', id))
    .executeTakeFirst();
  if (row === undefined) throw new RangeError(`incident ${id} does not exist`);
}

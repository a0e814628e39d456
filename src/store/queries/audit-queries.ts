import type { Kysely } from 'kysely';
import { auditEntry, auditRow } from '../rows.ts';
import type { StoreSchema } from '../schema.ts';
import type { AuditEntry, AuditFilter, StoredAuditEntry } from '../store.ts';
import { checkWindow } from './time-window.ts';

export async function appendAudit(
  db: Kysely<StoreSchema>,
  entry: AuditEntry,
): Promise<StoredAuditEntry> {
  const row = await db
    .insertInto('audit_log')
    .values(auditRow(entry))
    .returningAll()
    .executeTakeFirstOrThrow();
  return auditEntry(row);
}

export async function listAudit(
  db: Kysely<StoreSchema>,
  filter: AuditFilter,
): Promise<StoredAuditEntry[]> {
  const { since, until, limit, direction } = checkWindow(filter);
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.target !== undefined) query = query.where('target', '=', filter.target);
  if (since !== undefined) query = query.where('at', '>=', since);
  if (until !== undefined) query = query.where('at', '<', until);
  query = query.orderBy('at', direction).orderBy('id', direction);
  if (limit !== undefined) query = query.limit(limit);
  return (await query.execute()).map(auditEntry);
}

import { type Kysely, sql, type Transaction } from 'kysely';
import { auditHash } from '../audit-chain.ts';
import { auditEntry, prepareAudit } from '../audit-rows.ts';
import { integer, toNumber } from '../row-values.ts';
import type { StoreSchema } from '../schema.ts';
import type {
  AuditChainPage,
  AuditChainRow,
  AuditEntry,
  AuditFilter,
  AuditHead,
  StoredAuditEntry,
} from '../store.ts';
import { checkWindow } from './time-window.ts';

export async function appendAudit(
  db: Kysely<StoreSchema>,
  entry: AuditEntry,
): Promise<StoredAuditEntry> {
  const prepared = prepareAudit(entry);
  return db.transaction().execute((trx) => appendPrepared(trx, prepared));
}

/** Appends within a transaction that also does what is audited (an operator request, a token). */
export function appendAuditIn(
  trx: Transaction<StoreSchema>,
  entry: AuditEntry,
): Promise<StoredAuditEntry> {
  return appendPrepared(trx, prepareAudit(entry));
}

/**
 * One link. The UPDATE of the head row comes first: it takes the head's row lock on PostgreSQL
 * (a concurrent writer waits, then reads the head this one leaves) and the write lock on SQLite
 * (mend's transactions begin immediate), so no two writers can chain to the same row. Should one
 * ever do so anyway, the unique prev_hash and seq refuse the second row: a loud failure, never a
 * fork.
 */
async function appendPrepared(
  trx: Transaction<StoreSchema>,
  prepared: ReturnType<typeof prepareAudit>,
): Promise<StoredAuditEntry> {
  const head = await trx
    .updateTable('audit_chain_head')
    .set({ seq: sql<number>`seq + 1` })
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  const seq = toNumber(head.seq);
  const prevHash = head.hash;
  const hash = auditHash({ ...prepared.content, seq, prevHash });
  const row = await trx
    .insertInto('audit_log')
    .values({ ...prepared.values, seq, prev_hash: prevHash, hash })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx.updateTable('audit_chain_head').set({ hash }).where('id', '=', 1).execute();
  return auditEntry(row);
}

export async function listAudit(
  db: Kysely<StoreSchema>,
  filter: AuditFilter,
): Promise<StoredAuditEntry[]> {
  const { since, until, limit, direction } = checkWindow(filter);
  let query = db.selectFrom('audit_log').selectAll();
  if (typeof filter.actor === 'string') query = query.where('actor', '=', filter.actor);
  else if (filter.actor !== undefined) {
    if (filter.actor.length === 0) return [];
    query = query.where('actor', 'in', filter.actor);
  }
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.target !== undefined) query = query.where('target', '=', filter.target);
  if (since !== undefined) query = query.where('at', '>=', since);
  if (until !== undefined) query = query.where('at', '<', until);
  query = query.orderBy('at', direction).orderBy('id', direction);
  if (limit !== undefined) query = query.limit(limit);
  return (await query.execute()).map(auditEntry);
}

export async function readAuditChain(
  db: Kysely<StoreSchema>,
  page: AuditChainPage,
): Promise<AuditChainRow[]> {
  const limit = integer('limit', page.limit);
  if (limit < 1) throw new RangeError(`limit must be >= 1, got ${limit}`);
  let query = db.selectFrom('audit_log').selectAll();
  if (page.afterId !== undefined) query = query.where('id', '>', integer('afterId', page.afterId));
  const rows = await query.orderBy('id').limit(limit).execute();
  return rows.map((row) => {
    try {
      return auditEntry(row);
    } catch (error) {
      return {
        id: toNumber(row.id),
        unreadable: error instanceof Error ? error.message : String(error),
      };
    }
  });
}

export async function auditHead(db: Kysely<StoreSchema>): Promise<AuditHead> {
  const head = await db
    .selectFrom('audit_chain_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return { seq: toNumber(head.seq), hash: head.hash };
}

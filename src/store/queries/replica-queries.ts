import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import { FencedError } from '../fenced-error.ts';
import type { SqlDialect } from '../migrations/sql-dialect.ts';
import type {
  FiringSignal,
  InboxSignal,
  LeaderLease,
  Leadership,
  ReplicaMember,
  StoredReplica,
} from '../replica-records.ts';
import { epochMs, integer, toJson, toNumber } from '../row-values.ts';
import type { StoreSchema } from '../schema.ts';
import { transact } from './transact.ts';

const LEASE_ROW = 1;

/** The database's clock in epoch ms: one clock for every replica, whatever their hosts say. */
function nowMs(dialect: SqlDialect): RawBuilder<number> {
  return dialect === 'postgres'
    ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
    : sql<number>`cast(unixepoch('subsec') * 1000 as integer)`;
}

export async function databaseNow(db: Kysely<StoreSchema>, dialect: SqlDialect): Promise<number> {
  const { rows } = await sql<{ now: number | string }>`select ${nowMs(dialect)} as now`.execute(db);
  return toNumber(rows[0]!.now);
}

export async function heartbeat(
  db: Kysely<StoreSchema>,
  dialect: SqlDialect,
  member: ReplicaMember,
  forgetAfterMs: number,
): Promise<number> {
  const values = {
    id: member.id,
    host: member.host,
    pid: integer('pid', member.pid),
    started_at: epochMs('startedAt', member.startedAt),
    checks: integer('checks', member.checks),
    address: member.address ?? null,
  };
  return transact(db, async (trx) => {
    const row = await trx
      .insertInto('replicas')
      .values({ ...values, heartbeat_at: nowMs(dialect) })
      .onConflict((conflict) =>
        conflict.column('id').doUpdateSet({
          heartbeat_at: nowMs(dialect),
          checks: values.checks,
          address: values.address,
        }),
      )
      .returning('heartbeat_at')
      .executeTakeFirstOrThrow();
    const at = toNumber(row.heartbeat_at);
    await trx
      .deleteFrom('replicas')
      .where('heartbeat_at', '<', at - integer('forgetAfterMs', forgetAfterMs))
      .execute();
    return at;
  });
}

export async function listReplicas(
  db: Kysely<StoreSchema>,
  dialect: SqlDialect,
): Promise<{ now: number; replicas: StoredReplica[] }> {
  return transact(db, async (trx) => {
    const now = await databaseNow(trx, dialect);
    const rows = await trx
      .selectFrom('replicas')
      .selectAll()
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    return {
      now,
      replicas: rows.map((row) => ({
        id: row.id,
        host: row.host,
        pid: toNumber(row.pid),
        startedAt: toNumber(row.started_at),
        checks: toNumber(row.checks),
        ...(row.address !== null ? { address: row.address } : {}),
        heartbeatAt: toNumber(row.heartbeat_at),
      })),
    };
  });
}

export async function leave(db: Kysely<StoreSchema>, id: string): Promise<void> {
  await db.deleteFrom('replicas').where('id', '=', id).execute();
}

/** The UPDATE that makes `id` the holder with the next epoch; `lapsed` only when no one holds it. */
function takeLease(
  db: Kysely<StoreSchema>,
  dialect: SqlDialect,
  id: string,
  leaseMs: number,
  lapsed: boolean,
) {
  const lease = integer('leaseMs', leaseMs);
  let update = db
    .updateTable('leader_lease')
    .set({
      holder: id,
      epoch: sql`epoch + 1`,
      acquired_at: nowMs(dialect),
      expires_at: sql`${nowMs(dialect)} + ${lease}`,
    })
    .where('id', '=', LEASE_ROW);
  if (lapsed) {
    update = update.where((eb) =>
      eb.or([eb('holder', 'is', null), eb('expires_at', '<', nowMs(dialect))]),
    );
  }
  return update.returning(['epoch', 'expires_at']);
}

export async function campaign(
  db: Kysely<StoreSchema>,
  dialect: SqlDialect,
  id: string,
  leaseMs: number,
): Promise<Leadership | undefined> {
  // One conditional UPDATE: of replicas racing for a lapsed lease, the row lock lets one win,
  // and the others' condition no longer holds when they get the row.
  const row = await takeLease(db, dialect, id, leaseMs, true).executeTakeFirst();
  return row === undefined ? undefined : leadership(row);
}

export async function seize(
  db: Kysely<StoreSchema>,
  dialect: SqlDialect,
  id: string,
  leaseMs: number,
): Promise<Leadership> {
  return leadership(await takeLease(db, dialect, id, leaseMs, false).executeTakeFirstOrThrow());
}

export async function renew(
  db: Kysely<StoreSchema>,
  dialect: SqlDialect,
  id: string,
  epoch: number,
  leaseMs: number,
): Promise<Leadership | undefined> {
  const row = await db
    .updateTable('leader_lease')
    .set({ expires_at: sql`${nowMs(dialect)} + ${integer('leaseMs', leaseMs)}` })
    .where('id', '=', LEASE_ROW)
    .where('holder', '=', id)
    .where('epoch', '=', integer('epoch', epoch))
    .returning(['epoch', 'expires_at'])
    .executeTakeFirst();
  return row === undefined ? undefined : leadership(row);
}

export async function release(db: Kysely<StoreSchema>, id: string, epoch: number): Promise<void> {
  await db
    .updateTable('leader_lease')
    .set({ holder: null, expires_at: 0 })
    .where('id', '=', LEASE_ROW)
    .where('holder', '=', id)
    .where('epoch', '=', integer('epoch', epoch))
    .execute();
}

export async function readLease(
  db: Kysely<StoreSchema>,
  dialect: SqlDialect,
): Promise<{ now: number; lease: LeaderLease }> {
  return transact(db, async (trx) => {
    const now = await databaseNow(trx, dialect);
    const row = await trx
      .selectFrom('leader_lease')
      .selectAll()
      .where('id', '=', LEASE_ROW)
      .executeTakeFirstOrThrow();
    return {
      now,
      lease: {
        holder: row.holder ?? undefined,
        epoch: toNumber(row.epoch),
        acquiredAt: toNumber(row.acquired_at),
        expiresAt: toNumber(row.expires_at),
      },
    };
  });
}

/**
 * The fence, first thing in a fenced write's transaction: the lease row is read under a share
 * lock, so a takeover (an UPDATE of that row) waits until this transaction ends, and a write that
 * commits was checked against the epoch that held when it committed. An older epoch is refused.
 */
export async function checkEpoch(
  trx: Transaction<StoreSchema>,
  dialect: SqlDialect,
  epoch: number,
  what: string,
): Promise<void> {
  let query = trx
    .selectFrom('leader_lease')
    .select(['epoch', 'holder'])
    .where('id', '=', LEASE_ROW);
  if (dialect === 'postgres') query = query.forShare();
  const row = await query.executeTakeFirstOrThrow();
  const current = toNumber(row.epoch);
  if (current !== epoch) throw new FencedError(epoch, current, row.holder ?? undefined, what);
}

export async function sendSignals(
  db: Kysely<StoreSchema>,
  dialect: SqlDialect,
  from: string,
  signals: readonly unknown[],
): Promise<void> {
  if (signals.length === 0) return;
  await db
    .insertInto('replica_signals')
    .values(
      signals.map((signal) => ({
        from_replica: from,
        sent_at: nowMs(dialect),
        signal: toJson('signal', signal),
      })),
    )
    .execute();
}

export async function inbox(db: Kysely<StoreSchema>, limit: number): Promise<InboxSignal[]> {
  const rows = await db
    .selectFrom('replica_signals')
    .selectAll()
    .orderBy('id')
    .limit(integer('limit', limit))
    .execute();
  return rows.map((row) => ({
    id: toNumber(row.id),
    from: row.from_replica,
    sentAt: toNumber(row.sent_at),
    signal: JSON.parse(row.signal) as unknown,
  }));
}

export async function dropFromInbox(
  db: Kysely<StoreSchema>,
  ids: readonly number[],
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .deleteFrom('replica_signals')
    .where(
      'id',
      'in',
      ids.map((id) => integer('id', id)),
    )
    .execute();
}

export async function firingSignals(db: Kysely<StoreSchema>): Promise<FiringSignal[]> {
  const rows = await db
    .selectFrom('signals as s')
    .select(['s.service', 's.check_name', 's.source', 's.fingerprint', 's.labels', 's.starts_at'])
    .where('s.status', '=', 'firing')
    .where(({ eb, selectFrom }) =>
      eb(
        's.id',
        '=',
        selectFrom('signals as later')
          .select((inner) => inner.fn.max('later.id').as('id'))
          .whereRef('later.service', '=', 's.service')
          .whereRef('later.fingerprint', '=', 's.fingerprint'),
      ),
    )
    .execute();
  return rows.map((row) => ({
    service: row.service,
    check: row.check_name ?? undefined,
    source: row.source,
    fingerprint: row.fingerprint,
    labels: JSON.parse(row.labels) as Record<string, string>,
    startsAt: toNumber(row.starts_at),
  }));
}

function leadership(row: {
  epoch: number | string | bigint;
  expires_at: number | string | bigint;
}): Leadership {
  return { epoch: toNumber(row.epoch), expiresAt: toNumber(row.expires_at) };
}

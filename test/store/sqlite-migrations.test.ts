import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, test } from 'node:test';
import { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { GENESIS_HASH } from '../../src/store/audit-chain.ts';
import { foundation } from '../../src/store/migrations/0001-foundation.ts';
import { decisions } from '../../src/store/migrations/0002-decisions.ts';
import { oneIncidentPerId } from '../../src/store/migrations/0003-one-incident-per-id.ts';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../../src/store/migrations/index.ts';
import { NodeSqliteDialect } from '../../src/store/node-sqlite-dialect.ts';
import { openStore } from '../../src/store/open.ts';
import { verifyAuditLog } from '../../src/store/verify-audit.ts';
import { T0 } from './contract/fixtures.ts';

/**
 * 0003 on a store an older mend wrote (0001 and 0002 only): its incidents come through, now named
 * by their engine id, unless an id names two of them, which it refuses, naming the ids.
 */

let folder = '';
let path = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mend-store-migrations-'));
  path = join(folder, 'mend.db');
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A store as the mend before 0003 left it, with these incidents (engine id, status). */
async function olderStore(
  incidents: [string, 'open' | 'resolved'][],
  through: 2 | 3 = 2,
): Promise<void> {
  const database = new DatabaseSync(path);
  const db = new Kysely<unknown>({ dialect: new NodeSqliteDialect(database) });
  const migrator = new Migrator({
    db,
    provider: {
      getMigrations: async () => ({
        '0001-foundation': foundation('sqlite'),
        '0002-decisions': decisions('sqlite'),
        ...(through === 3 ? { '0003-one-incident-per-id': oneIncidentPerId() } : {}),
      }),
    },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateToLatest();
  await db.destroy();
  if (error !== undefined) throw error;
  const raw = new DatabaseSync(path);
  try {
    incidents.forEach(([id, status], n) => {
      const resolvedAt = status === 'resolved' ? T0 + n + 1 : null;
      raw
        .prepare(
          `insert into incidents (service, status, title, group_key, opened_at, resolved_at, fields) values ('api', ?, 't', ?, ?, ?, '{}')`,
        )
        .run(status, id, T0 + n, resolvedAt);
      raw
        .prepare(
          `insert into incident_events (incident_id, at, type, payload) values (last_insert_rowid(), ?, 'opened', '{}')`,
        )
        .run(T0 + n);
    });
  } finally {
    raw.close();
  }
}

function migrations(): string[] {
  const raw = new DatabaseSync(path);
  try {
    return raw
      .prepare(`select name from ${MIGRATION_TABLE} order by name`)
      .all()
      .map((row) => String(row.name));
  } finally {
    raw.close();
  }
}

test('0003: an older store opens with its incidents named by engine id, one per id', async () => {
  await olderStore([
    ['inc-1', 'resolved'],
    ['inc-2', 'open'],
  ]);
  const store = await openStore({ path });
  try {
    assert.deepEqual(migrations(), [
      '0001-foundation',
      '0002-decisions',
      '0003-one-incident-per-id',
      '0004-audit-chain-and-tokens',
      '0005-operator-request-kinds',
      '0006-alerts',
      '0007-probe-cursors',
      '0008-replicas',
    ]);
    assert.deepEqual(
      (await store.listIncidents()).map((i) => [i.id, i.status]),
      [
        ['inc-1', 'resolved'],
        ['inc-2', 'open'],
      ],
    );
    assert.deepEqual(
      (await store.getIncident('inc-1'))?.timeline.map((e) => [e.incidentId, e.type]),
      [['inc-1', 'opened']],
    );
    // The id the engine gave is taken, resolved or not.
    await assert.rejects(
      store.recordDecision({
        at: T0 + 10,
        input: { kind: 'tick' },
        decision: { commands: [], events: [], reasons: [] },
        configRevision: 'r',
        incidents: { opened: [{ incidentId: 'inc-1', service: 'api', title: 't', openedAt: T0 }] },
      }),
      /inc-1 is resolved/,
    );
  } finally {
    await store.close();
  }
});

test('0003: a store where an id names two incidents is refused, naming them, and left as it was', async () => {
  await olderStore([
    ['inc-1', 'resolved'],
    ['inc-1', 'open'],
    ['inc-2', 'open'],
  ]);
  await assert.rejects(openStore({ path }), (error) => {
    assert.ok(error instanceof Error);
    assert.match(error.message, /these incident ids each name more than one incident: inc-1\. /);
    assert.match(error.message, /new --db/);
    return true;
  });
  assert.deepEqual(migrations(), ['0001-foundation', '0002-decisions']);
});

test('0005: operator requests of an older store stay, ids go on, and new kinds are taken', async () => {
  await olderStore([]);
  const raw = new DatabaseSync(path);
  try {
    for (const n of [1, 2, 3]) {
      raw
        .prepare(
          `insert into operator_requests (at, actor, kind, payload, status) values (?, 'cli:old', 'breakerReset', '{"service":"api"}', 'pending')`,
        )
        .run(T0 + n);
    }
    // The newest request was deleted by hand: its id must still never be given out again.
    raw.exec('drop trigger if exists operator_requests_no_delete');
    raw.exec('delete from operator_requests where id = 3');
  } finally {
    raw.close();
  }
  const store = await openStore({ path });
  try {
    assert.deepEqual(
      (await store.pendingOperatorRequests()).map((r) => [r.id, r.kind, r.actor]),
      [
        [1, 'breakerReset', 'cli:old'],
        [2, 'breakerReset', 'cli:old'],
      ],
    );
    const { id } = await store.addOperatorRequest({
      at: T0 + 10,
      actor: 'token:bob',
      kind: 'silence',
      payload: { matchers: ['service="api"'], startsAt: T0, endsAt: T0 + 60_000, comment: 'x' },
    });
    assert.equal(id, 4, 'AUTOINCREMENT kept its counter through the rebuild');
    assert.equal((await store.getOperatorRequest(id))?.kind, 'silence');
  } finally {
    await store.close();
  }
});

/** Audit rows as mend before 0004 wrote them: (action, details). */
function oldAuditRows(rows: [string, string, unknown][]): void {
  const raw = new DatabaseSync(path);
  try {
    rows.forEach(([actor, action, details], n) => {
      raw
        .prepare(
          `insert into audit_log (at, actor, action, target, details) values (?, ?, ?, 't', ?)`,
        )
        .run(T0 + n, actor, action, JSON.stringify(details));
    });
  } finally {
    raw.close();
  }
}

test('0004: the audit rows an older mend wrote are chained in id order, in the vocabulary, and stay append-only', async () => {
  await olderStore([], 3);
  oldAuditRows([
    ['cli:alice', 'operator.approval', { requestId: 1, approvalId: 'a', verdict: 'approve' }],
    ['alice', 'operator.approval', { requestId: 2, approvalId: 'b', verdict: 'deny' }],
    ['cli:bob', 'operator.breakerReset', { requestId: 3, service: 'api' }],
    ['cli:bob', 'runbook.run', { runId: 'r', params: {} }],
    ['cli:bob', 'runbook.outcome', { runId: 'r', result: 'failed', detail: 'x' }],
    ['cli:bob', 'runbook.dry-run', { params: {}, errors: ['bad'] }],
  ]);
  const store = await openStore({ path });
  try {
    const rows = await store.listAudit();
    assert.deepEqual(
      rows.map((r) => [r.seq, r.actor, r.action, r.result]),
      [
        [1, 'cli:alice', 'approval.approve', 'accepted'],
        [2, 'alice', 'approval.deny', 'accepted'],
        [3, 'cli:bob', 'breaker.reset', 'accepted'],
        [4, 'cli:bob', 'runbook.run', 'ok'],
        [5, 'cli:bob', 'runbook.outcome', 'failed'],
        [6, 'cli:bob', 'runbook.dry-run', 'failed'],
      ],
    );
    assert.deepEqual(rows[0]?.params, { requestId: 1, approvalId: 'a', verdict: 'approve' });
    assert.equal(rows[0]?.prevHash, GENESIS_HASH);
    assert.deepEqual(await verifyAuditLog(store), {
      ok: true,
      verified: 6,
      head: { seq: 6, hash: rows[5]!.hash },
    });
    const next = await store.appendAudit({
      at: T0 + 10,
      actor: 'cli:alice',
      action: 'token.revoke',
      target: 'token/x',
      params: {},
      result: 'ok',
    });
    assert.deepEqual([next.seq, next.prevHash], [7, rows[5]!.hash]);
    assert.equal((await verifyAuditLog(store)).ok, true);
  } finally {
    await store.close();
  }
  const raw = new DatabaseSync(path);
  try {
    assert.throws(() => raw.exec(`update audit_log set actor = 'mallory'`), /append-only/);
    assert.throws(() => raw.exec('delete from audit_log'), /append-only/);
  } finally {
    raw.close();
  }
});

test('0004: an empty log starts the chain at the genesis hash', async () => {
  await olderStore([], 3);
  const store = await openStore({ path });
  try {
    assert.deepEqual(await store.auditHead(), { seq: 0, hash: GENESIS_HASH });
  } finally {
    await store.close();
  }
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { runMend } from '../helpers/mend-process.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { approval, heal, tick } from '../store/contract/decision-fixtures.ts';
import { openIncident, recordSignal, signal, T0 } from '../store/contract/fixtures.ts';

/** A store with some of everything a running mend writes, including pruned snapshots. */
async function fill(store: Store): Promise<void> {
  await recordSignal(store, signal());
  await recordSignal(store, signal({ status: 'resolved', at: T0 + 5000 }));
  await openIncident(store);
  await store.appendIncidentEvent({
    incidentId: 'inc-1',
    at: T0 + 1,
    type: 'note',
    payload: { n: 1 },
  });
  const { seq } = await store.recordDecision({ ...tick(T0 + 2), commands: [heal('inc-1:heal:1')] });
  await store.updateCommand('inc-1:heal:1', { status: 'succeeded', at: T0 + 3 });
  for (const phase of ['intent', 'result'] as const) {
    await store.appendJournal({
      runId: 'inc-1:heal:1',
      stepIndex: 0,
      attempt: 1,
      idempotencyKey: 'inc-1:heal:1:0:1',
      phase,
      at: T0 + 4,
      payload: { step: 'restart', phase },
    });
  }
  for (let n = 0; n < 5; n++) {
    await store.saveSnapshot({ inputSeq: seq, at: T0 + n, state: { n }, configRevision: 'rev-1' });
  }
  await store.addOperatorRequest(approval());
  await store.createToken(
    { name: 'deploy', role: 'operator', hash: 'a'.repeat(64), createdAt: T0 },
    { actor: 'cli:alice' },
  );
  for (let n = 0; n < 3; n++) {
    await store.appendAudit({
      at: T0 + n,
      actor: 'cli:alice',
      action: 'breaker.reset',
      target: `breaker/svc-${n}`,
      params: { n },
      result: 'accepted',
    });
  }
}

/** What a store holds, through its own reads. */
async function contents(store: Store) {
  return {
    signals: await store.listSignals(),
    incidents: await store.listIncidents(),
    incident: await store.getIncident('inc-1'),
    journal: await store.listJournal('inc-1:heal:1'),
    decisions: await store.listDecisions(),
    snapshot: await store.latestSnapshot(),
    commands: await store.listCommands(),
    requests: await store.pendingOperatorRequests(),
    audit: await store.listAudit(),
    auditHead: await store.auditHead(),
    tokens: await store.listTokens(),
    positions: await store.latestPositions(),
  };
}

test('mend store copy moves an SQLite store to PostgreSQL with its history; the audit chain verifies', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-store-copy-'));
  const schema = await createTestSchema();
  try {
    const file = join(dir, 'mend.db');
    const source = await openStore({ path: file });
    await fill(source);
    const expected = await contents(source);
    await source.close();

    const copied = await runMend(['store', 'copy', '--from', file, '--to', schema.url]);
    assert.equal(copied.code, 0, copied.stdout + copied.stderr);
    assert.match(copied.stdout, /^copied \d+ row\(s\) from .*mend\.db to postgres:\/\//m);
    assert.match(copied.stderr, /^audit_log: 5 of 5 row\(s\)$/m);
    assert.match(copied.stderr, /^engine_snapshots: 3 of 3 row\(s\)$/m);

    const target = await openStore({ path: schema.url });
    try {
      assert.deepEqual(await contents(target), expected);
      // New rows continue after the copied ids (snapshots: after the pruned ones too).
      const next = await recordSignal(target, signal());
      assert.ok(next > Math.max(...expected.signals.map((s) => s.id)));
      const { seq } = await target.latestPositions();
      await target.saveSnapshot({ inputSeq: seq, at: T0, state: {}, configRevision: 'rev-1' });
      const [row] = await schema.query('select max(id) as id from engine_snapshots');
      assert.equal(Number(row?.id), 6);
    } finally {
      await target.close();
    }
    const verified = await runMend(['audit', 'verify', '--db', schema.url]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /^audit log verified: 5 row\(s\); head seq 5 /);

    // A store that holds anything is never copied into.
    const again = await runMend(['store', 'copy', '--from', file, '--to', schema.url]);
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /is not empty \(signals \(3\).*a copy goes into a new, empty store only/,
    );
    const missing = await runMend([
      'store',
      'copy',
      '--from',
      join(dir, 'nope.db'),
      '--to',
      schema.url,
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no store at .*nope\.db/);
  } finally {
    await schema.drop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('store copy names every table a migrated store has (a new table cannot be left behind)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-copy-tables-'));
  try {
    const file = join(dir, 'all.db');
    const store = await openStore({ path: file });
    await store.close();
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(file, { readOnly: true });
    const rows = db
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
      .all() as { name: string }[];
    db.close();
    // Kept apart: the migrations' own bookkeeping, and the chain head the copy sets at the end.
    const apart = new Set(['mend_migration', 'mend_migration_lock', 'audit_chain_head']);
    const tables = rows.map((row) => row.name).filter((name) => !apart.has(name));
    const { RUNTIME_TABLES, TABLES } = await import('../../src/store/copy-store.ts');
    assert.deepEqual(
      tables.sort(),
      [...TABLES.map((table) => table.name), ...RUNTIME_TABLES].sort(),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

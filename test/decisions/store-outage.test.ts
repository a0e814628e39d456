import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, test } from 'node:test';
import { type Held, type Outage, StoreOutage } from '../../src/decisions/store-outage.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { watchStore } from '../../src/store/watched-store.ts';
import { createLogger } from '../../src/support/log.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { opened, openIncident, recordSignal, signal } from '../store/contract/fixtures.ts';
import { holdWriteLock } from '../store/sqlite-conditions.ts';

/**
 * The outage monitor on a real SQLite file, failing the way it fails in production: another
 * process holding the write lock past the busy timeout, the file deleted. Time is a FakeClock.
 */

let folder = '';
let path = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mend-outage-'));
  path = join(folder, 'mend.db');
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function capturedLog() {
  const out = new PassThrough();
  const lines: { level: number; msg: string }[] = [];
  out.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { log: createLogger({ level: 'info', pretty: false, destination: out }), lines };
}

function monitor(store: Store, options: { problem?: () => string | undefined } = {}) {
  const clock = new FakeClock();
  const { log, lines } = capturedLog();
  const held: Held = { signals: 0, outcomes: 0 };
  const seen = { down: [] as Outage[], recovered: [] as number[], expired: [] as Outage[] };
  const outage = new StoreOutage({
    store,
    path,
    held: () => held,
    exitAfterMs: () => 60_000,
    log,
    clock,
    ...(options.problem ? { problem: options.problem } : {}),
    onDown: (o) => seen.down.push({ ...o }),
    onRecovered: (_o, until) => seen.recovered.push(until),
    onExpired: (o) => seen.expired.push({ ...o }),
  });
  const watched = watchStore(store, (error) => outage.failed(error));
  outage.start();
  return { clock, lines, held, seen, outage, watched };
}

/** Any audit row: a write that fails while the store cannot record. */
const auditOf = (target: string) => ({
  at: Date.UTC(2026, 10, 24, 10),
  actor: 'controller',
  action: 'token.revoke' as const,
  target,
  params: {},
  result: 'ok' as const,
});

test('an outage: begun by the first StoreError, said once, reminded, over once a write works, with the store.outage note', async () => {
  const store = await openStore({ path, busyTimeoutMs: 50 });
  await openIncident(store, opened({ incidentId: 'inc-1' }));
  const m = monitor(store);
  const lock = await holdWriteLock(path);
  let released = false;
  try {
    await assert.rejects(m.watched.appendAudit(auditOf('a')), StoreError);
    assert.equal(m.seen.down.length, 1);
    assert.match(m.seen.down[0]!.reason, /is locked by another process/);
    await assert.rejects(recordSignal(m.watched, signal({})), StoreError);
    assert.equal(m.seen.down.length, 1, 'paged once, not once per failure');
    assert.match(
      m.outage.describe() ?? '',
      /cannot record since .*; 0 signal\(s\) held; mend exits at /,
    );
    assert.equal(m.lines.filter((l) => /^the store cannot record: /.test(l.msg)).length, 1);

    // Held signals: the monitor waits for the queue to record them, whatever the store does.
    m.held.signals = 3;
    await lock.release();
    released = true;
    await m.clock.advance(16_000);
    assert.ok(m.outage.current, 'still an outage while signals are held');
    assert.equal(
      m.lines.filter((l) => /^the store still cannot record \(for 15s\)/.test(l.msg)).length,
      1,
    );
    assert.match(m.lines.at(-1)!.msg, /3 signal\(s\) held; mend exits in 45s/);

    m.held.signals = 0;
    await m.clock.advance(1000);
    assert.equal(m.outage.current, undefined);
    assert.equal(m.seen.recovered.length, 1);
    assert.ok(m.lines.some((l) => /^store .* records again after 17s/.test(l.msg)));
    const [note] = await store.listAudit({ action: 'store.outage' });
    assert.equal(note?.target, `store/${path}`);
    assert.deepEqual(Object.keys(note?.params as object).sort(), [
      'durationMs',
      'heldSignals',
      'reason',
      'since',
      'until',
    ]);
    assert.equal((note?.params as { heldSignals?: number } | undefined)?.heldSignals, 3);
    const incident = await store.getIncident('inc-1');
    const event = incident?.timeline.find((e) => e.type === 'store.outage');
    assert.match(
      String((event?.payload as { message?: string } | undefined)?.message),
      /^the store could not record from .* \(17s\): store .* is locked .*; the 3 signal\(s\) held meanwhile were recorded late/,
    );
    // The bound was cleared by the recovery.
    await m.clock.advance(120_000);
    assert.deepEqual(m.seen.expired, []);
  } finally {
    m.outage.stop();
    if (!released) await lock.release();
    await store.close();
  }
});

test('an outage that outlasts its bound expires once; a new outage after it is paged again', async () => {
  const store = await openStore({ path, busyTimeoutMs: 50 });
  const m = monitor(store);
  const lock = await holdWriteLock(path);
  try {
    await assert.rejects(m.watched.appendAudit(auditOf('a')), StoreError);
    await m.clock.advance(59_000);
    assert.deepEqual(m.seen.expired, []);
    await m.clock.advance(1000);
    assert.equal(m.seen.expired.length, 1);
    await m.clock.advance(60_000);
    assert.equal(m.seen.expired.length, 1);
  } finally {
    await lock.release();
  }
  await m.clock.advance(1000);
  assert.equal(m.seen.recovered.length, 1);
  const again = await holdWriteLock(path);
  try {
    await assert.rejects(m.watched.appendAudit(auditOf('b')), StoreError);
    assert.equal(m.seen.down.length, 2);
  } finally {
    m.outage.stop();
    await again.release();
    await store.close();
  }
});

test('the periodic check finds the store file deleted: an outage that does not end', async () => {
  const store = await openStore({ path });
  const m = monitor(store);
  try {
    await m.clock.advance(1000);
    assert.equal(m.outage.current, undefined);
    await rm(path);
    await m.clock.advance(1000);
    assert.equal(m.seen.down.length, 1);
    assert.match(m.seen.down[0]!.reason, /^store .*mend\.db was deleted while mend ran/);
    await m.clock.advance(10_000);
    assert.ok(m.outage.current, 'the note cannot be written to a deleted file');
    assert.deepEqual(m.seen.recovered, []);
  } finally {
    m.outage.stop();
    await store.close();
  }
});

test('a lost runner lock is an outage while it lasts, whatever the store says', async () => {
  const store = await openStore({ path });
  let problem: string | undefined;
  const m = monitor(store, { problem: () => problem });
  try {
    problem = 'lock file x.lock was deleted while mend ran';
    await m.clock.advance(1000);
    assert.equal(m.seen.down[0]?.reason, problem);
    await m.clock.advance(5000);
    assert.ok(m.outage.current);
    problem = undefined;
    await m.clock.advance(1000);
    assert.equal(m.outage.current, undefined);
  } finally {
    m.outage.stop();
    await store.close();
  }
});

test('stopping: an outage that begins while mend stops is not paged on its own; after stop, none begins', async () => {
  const store = await openStore({ path, busyTimeoutMs: 50 });
  const m = monitor(store);
  const lock = await holdWriteLock(path);
  try {
    m.outage.stopping();
    await assert.rejects(m.watched.appendAudit(auditOf('a')), StoreError);
    assert.ok(m.outage.current);
    assert.deepEqual(m.seen.down, []);
    m.outage.stop();
    await m.clock.advance(120_000);
    assert.deepEqual(m.seen.expired, []);
  } finally {
    await lock.release();
    await store.close();
  }
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AlertWriteGroup } from '../../src/decisions/alert-write-group.ts';
import type { AlertRecord, Store } from '../../src/store/store.ts';
import { tempStore } from '../helpers/test-store.ts';

function alert(fingerprint: string, status: AlertRecord['status'], at: number): AlertRecord {
  return {
    fingerprint,
    source: 'alertmanager',
    status,
    labels: { alertname: 'A' },
    annotations: {},
    generatorURL: '',
    receiver: 'mend',
    startsAt: status === 'firing' ? at : 1000,
    ...(status === 'resolved' ? { endsAt: at } : {}),
    receivedAt: 5000,
  };
}

async function withStore(
  body: (store: Pick<Store, 'recordAlerts' | 'listAlerts'>, writes: string[]) => Promise<void>,
) {
  const dir = await mkdtemp(join(tmpdir(), 'mend-write-group-'));
  const store = await tempStore(dir);
  const writes: string[] = [];
  // Counts the transactions the group makes, on the real store.
  const counted = {
    recordAlerts: (records: readonly AlertRecord[]) => {
      writes.push(records.map((r) => r.fingerprint).join(','));
      return store.recordAlerts(records);
    },
    listAlerts: () => store.listAlerts(),
  };
  try {
    await body(counted, writes);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('deliveries of one tick go in one write, each answered with its own results, in order', () =>
  withStore(async (store, writes) => {
    const group = new AlertWriteGroup(store);
    const answers = await Promise.all([
      group.write([alert('a1', 'firing', 2000)]),
      group.write([alert('a2', 'firing', 2000), alert('a1', 'resolved', 3000)]),
      // Older than the resolution written just before it, in the same transaction: stale.
      group.write([alert('a1', 'firing', 2000)]),
    ]);
    assert.deepEqual(answers, [['kept'], ['kept', 'kept'], ['stale']]);
    assert.deepEqual(writes, ['a1,a2,a1,a1'], 'one transaction');
    const kept = await store.listAlerts();
    assert.deepEqual(kept.map((a) => [a.fingerprint, a.status]).sort(), [
      ['a1', 'resolved'],
      ['a2', 'firing'],
    ]);
  }));

test('a delivery the store refuses fails alone; the others of its write are recorded', () =>
  withStore(async (store, writes) => {
    const group = new AlertWriteGroup(store);
    const bad = { ...alert('b2', 'firing', 2000), startsAt: 1.5 };
    const [good, refused, after] = await Promise.allSettled([
      group.write([alert('b1', 'firing', 2000)]),
      group.write([bad]),
      group.write([alert('b3', 'firing', 2000)]),
    ]);
    assert.deepEqual(good, { status: 'fulfilled', value: ['kept'] });
    assert.equal(refused.status, 'rejected');
    assert.match(String((refused as PromiseRejectedResult).reason), /startsAt must be an integer/);
    assert.deepEqual(after, { status: 'fulfilled', value: ['kept'] });
    assert.deepEqual(writes, ['b1,b2,b3', 'b1', 'b2', 'b3']);
    const kept = (await store.listAlerts()).map((a) => a.fingerprint).sort();
    assert.deepEqual(kept, ['b1', 'b3']);
  }));

test('deliveries of a later tick go in the next write', () =>
  withStore(async (store, writes) => {
    const group = new AlertWriteGroup(store);
    const first = group.write([alert('c1', 'firing', 2000)]);
    await new Promise((resolve) => setImmediate(resolve));
    const second = group.write([alert('c2', 'firing', 2000)]);
    const third = group.write([alert('c3', 'firing', 2000)]);
    await Promise.all([first, second, third]);
    assert.deepEqual(writes, ['c1', 'c2,c3']);
  }));

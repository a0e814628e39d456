import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FencedError } from '../../src/store/fenced-error.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { openKyselyStore } from '../../src/store/open.ts';
import type { ReplicaMember } from '../../src/store/replica-records.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { heal, tick } from './contract/decision-fixtures.ts';
import { recordSignal, signal, T0 } from './contract/fixtures.ts';

/**
 * What replicas share through the store (membership, the leader lease and its epoch, the
 * fence on decision writes, the followers' inbox), on both databases: SQLite migrates the same
 * tables (replicas run on PostgreSQL only), so the SQL is the same and runs on both.
 */
interface Opened {
  store: KyselyStore;
  /** Another connection to the same database, as another replica has. */
  another(): Promise<KyselyStore>;
  cleanup(): Promise<void>;
}

const OPENERS: Record<string, () => Promise<Opened>> = {
  SQLite: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mend-replica-store-'));
    const path = join(dir, 'mend.db');
    const others: KyselyStore[] = [];
    const store = await openKyselyStore({ path });
    return {
      store,
      async another() {
        const other = await openKyselyStore({ path });
        others.push(other);
        return other;
      },
      async cleanup() {
        for (const other of others) await other.close();
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  PostgreSQL: async () => {
    const schema = await createTestSchema();
    const others: KyselyStore[] = [];
    const store = await openKyselyStore({ path: schema.url });
    return {
      store,
      async another() {
        const other = await openKyselyStore({ path: schema.url });
        others.push(other);
        return other;
      },
      async cleanup() {
        for (const other of others) await other.close();
        await store.close();
        await schema.drop();
      },
    };
  },
};

const member = (id: string, checks = 0): ReplicaMember => ({
  id,
  host: 'host-a',
  pid: 4242,
  startedAt: T0,
  checks,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withOpened(open: () => Promise<Opened>, body: (o: Opened) => Promise<void>) {
  const opened = await open();
  try {
    await body(opened);
  } finally {
    await opened.cleanup();
  }
}

for (const [name, open] of Object.entries(OPENERS)) {
  describe(`replicas on ${name}`, () => {
    test('heartbeats: a row per replica on the database clock; updated in place; leave removes it; old rows are forgotten', () =>
      withOpened(open, async ({ store, another }) => {
        const replicas = store.replicas();
        const before = await replicas.now();
        const at = await replicas.heartbeat({ ...member('r1', 3), address: 'http://x' }, 60_000);
        assert.ok(at >= before && at - before < 5000, `heartbeat at the database's now (${at})`);
        await (await another()).replicas().heartbeat(member('r2', 2), 60_000);
        await sleep(5);
        const again = await replicas.heartbeat(member('r1', 4), 60_000);
        assert.ok(again >= at);
        const { now, replicas: rows } = await replicas.listReplicas();
        assert.ok(now >= again);
        assert.deepEqual(
          rows.map(({ id, checks, address, startedAt, pid }) => ({
            id,
            checks,
            address,
            startedAt,
            pid,
          })),
          [
            { id: 'r1', checks: 4, address: undefined, startedAt: T0, pid: 4242 },
            { id: 'r2', checks: 2, address: undefined, startedAt: T0, pid: 4242 },
          ],
          'the second heartbeat of r1 replaced its share (and said no address)',
        );
        await replicas.leave('r2');
        assert.deepEqual(
          (await replicas.listReplicas()).replicas.map((r) => r.id),
          ['r1'],
        );
        await (await another()).replicas().heartbeat(member('r3'), 60_000);
        await sleep(30);
        // r1 beats again with a short memory: r3, silent for 30 ms, is forgotten.
        await replicas.heartbeat(member('r1'), 10);
        assert.deepEqual(
          (await replicas.listReplicas()).replicas.map((r) => r.id),
          ['r1'],
        );
      }));

    test('the lease: one holder; renewed by it only; let go or lapsed, the next takeover adds one to the epoch', () =>
      withOpened(open, async ({ store, another }) => {
        const a = store.replicas();
        const b = (await another()).replicas();
        assert.deepEqual((await a.lease()).lease, {
          holder: undefined,
          epoch: 0,
          acquiredAt: 0,
          expiresAt: 0,
        });
        const won = await a.campaign('a', 60_000);
        assert.equal(won?.epoch, 1);
        assert.equal(await b.campaign('b', 60_000), undefined, 'held: b cannot take it');
        assert.equal(await b.renew('b', 1, 60_000), undefined, 'b holds nothing to renew');
        const renewed = await a.renew('a', 1, 60_000);
        assert.equal(renewed?.epoch, 1);
        assert.ok(renewed!.expiresAt >= won!.expiresAt);
        await a.release('a', 1);
        assert.equal((await a.lease()).lease.holder, undefined);
        assert.equal((await b.campaign('b', 20))?.epoch, 2, 'let go: b takes it at once');
        await sleep(60);
        assert.equal((await a.campaign('a', 60_000))?.epoch, 3, 'lapsed: a takes it back');
        assert.equal(await b.renew('b', 2, 60_000), undefined, 'b lost it: its renewal is refused');
        await b.release('b', 2);
        assert.equal((await a.lease()).lease.holder, 'a', 'a stale release changes nothing');
      }));

    test('two replicas campaigning for a lapsed lease at once: exactly one wins', () =>
      withOpened(open, async ({ store, another }) => {
        const others = await Promise.all([another(), another(), another()]);
        const all = [store, ...others].map((s) => s.replicas());
        const results = await Promise.all(all.map((r, i) => r.campaign(`r${i}`, 60_000)));
        assert.equal(results.filter((r) => r !== undefined).length, 1, JSON.stringify(results));
        assert.equal((await store.replicas().lease()).lease.epoch, 1);
      }));

    test('the fence: a decision write under an older epoch is refused and leaves nothing; the new epoch writes', () =>
      withOpened(open, async ({ store, another }) => {
        const refused: FencedError[] = [];
        const old = store.fenced({ epoch: 1, refused: (error) => refused.push(error) });
        assert.equal((await store.replicas().campaign('old', 20))?.epoch, 1);
        const { seq } = await old.recordDecision({ ...tick(T0), commands: [heal('inc-1:heal:1')] });
        await old.appendJournal(journal('intent'));
        await sleep(60);
        const next = await (await another()).replicas().campaign('new', 60_000);
        assert.equal(next?.epoch, 2);

        const writes: [string, () => Promise<unknown>][] = [
          ['recordDecision', () => old.recordDecision(tick(T0 + 1))],
          ['appendJournal', () => old.appendJournal(journal('result'))],
          ['markDispatched', () => old.markDispatched('inc-1:heal:1', T0 + 2)],
          [
            'updateCommand',
            () => old.updateCommand('inc-1:heal:1', { status: 'succeeded', at: T0 + 3 }),
          ],
          [
            'saveSnapshot',
            () => old.saveSnapshot({ inputSeq: seq, at: T0, state: {}, configRevision: 'r' }),
          ],
        ];
        for (const [what, write] of writes) {
          await assert.rejects(write(), (error: unknown) => {
            assert.ok(error instanceof FencedError, `${what}: ${String(error)}`);
            assert.equal(error.epoch, 1);
            assert.equal(error.current, 2);
            assert.equal(error.holder, 'new');
            assert.match(
              error.message,
              /leader epoch 1, and the lease is at epoch 2 \(held by new\)/,
            );
            return true;
          });
        }
        assert.equal(refused.length, writes.length, 'each refusal is told to the fence');
        assert.equal(
          (await store.listDecisions()).length,
          1,
          'no decision of the old epoch after the takeover',
        );
        assert.deepEqual(
          (await store.listJournal('inc-1:heal:1')).map((e) => e.phase),
          ['intent'],
        );
        assert.equal((await store.listCommands())[0]?.status, 'planned');
        assert.equal(await store.latestSnapshot(), undefined);

        const current = store.fenced({ epoch: 2, refused: () => assert.fail('epoch 2 holds') });
        await current.appendJournal(journal('result'));
        assert.equal(await current.markDispatched('inc-1:heal:1', T0 + 4), true);
        // Reads and unfenced writes are no decision of the old leader's: they go on.
        assert.equal((await old.listCommands())[0]?.status, 'dispatched');
        const unfenced = store.fenced({ epoch: -1, refused: () => {} });
        await assert.rejects(unfenced.recordDecision(tick(T0 + 5)), FencedError);
      }));

    test('the inbox: followers’ signals in the order sent, dropped once taken', () =>
      withOpened(open, async ({ store, another }) => {
        const leader = store.replicas();
        const follower = (await another()).replicas();
        await follower.sendSignals('f1', [signal({ at: T0 + 1 }), signal({ at: T0 + 2 })]);
        await leader.sendSignals('f2', [signal({ at: T0 + 3, status: 'resolved' })]);
        const taken = await leader.inbox(2);
        assert.deepEqual(
          taken.map((s) => [s.from, (s.signal as { at: number }).at]),
          [
            ['f1', T0 + 1],
            ['f1', T0 + 2],
          ],
        );
        assert.deepEqual(taken[0]?.signal, JSON.parse(JSON.stringify(signal({ at: T0 + 1 }))));
        await leader.dropFromInbox(taken.map((s) => s.id));
        const rest = await leader.inbox(10);
        assert.deepEqual(
          rest.map((s) => (s.signal as { status: string }).status),
          ['resolved'],
        );
      }));

    test('firing signals: those whose latest recorded transition fires', () =>
      withOpened(open, async ({ store }) => {
        await recordSignal(store, signal({ fingerprint: 'f-a', at: T0 }));
        await recordSignal(
          store,
          signal({ fingerprint: 'f-b', at: T0, service: 'web', labels: { x: '1' } }),
        );
        await recordSignal(store, signal({ fingerprint: 'f-a', status: 'resolved', at: T0 + 5 }));
        const firing = await store.replicas().firingSignals();
        assert.deepEqual(firing, [
          {
            service: 'web',
            check: 'health',
            source: 'probe',
            fingerprint: 'f-b',
            labels: { x: '1' },
            startsAt: T0 - 20_000,
          },
        ]);
      }));
  });
}

function journal(phase: 'intent' | 'result') {
  return {
    runId: 'inc-1:heal:1',
    stepIndex: 0,
    attempt: 1,
    idempotencyKey: 'inc-1:heal:1:steps:0:1',
    phase,
    at: T0,
    payload: { type: 'step' },
  };
}

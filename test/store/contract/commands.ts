import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../../../src/store/store.ts';
import type { MakeStore } from '../contract.ts';
import { heal, tick } from './decision-fixtures.ts';
import { T0, withStore } from './fixtures.ts';

/** One decision planning `heal('inc-1:heal:1')`; returns its seq. */
async function planOne(store: Store, at = T0): Promise<number> {
  return (await store.recordDecision({ ...tick(at), commands: [heal('inc-1:heal:1')] })).seq;
}

export function commandContract(makeStore: MakeStore): void {
  test('planned commands come back as recorded, in the order they were decided', () =>
    withStore(makeStore, async ({ store }) => {
      const page = { id: 'blast:p:1', kind: 'page', payload: { notifiers: ['oncall'] } };
      const first = await store.recordDecision({
        ...tick(T0),
        commands: [heal('inc-2:heal:1'), page],
      });
      const second = await store.recordDecision({
        ...tick(T0 + 10),
        commands: [heal('inc-1:heal:1')],
      });
      const planned = (seq: number, at: number) => ({
        status: 'planned',
        inputSeq: seq,
        plannedAt: at,
        updatedAt: at,
      });
      assert.deepEqual(await store.listCommands(), [
        { ...heal('inc-2:heal:1'), ...planned(first.seq, T0) },
        { ...page, ...planned(first.seq, T0) },
        { ...heal('inc-1:heal:1'), ...planned(second.seq, T0 + 10) },
      ]);
      const [, stored] = await store.listCommands();
      for (const absent of ['incidentId', 'service', 'detail']) {
        assert.equal(stored !== undefined && absent in stored, false, absent);
      }
    }));

  test('a command id already planned is ignored; its decision is still recorded', () =>
    withStore(makeStore, async ({ store }) => {
      const first = await planOne(store);
      const again = await store.recordDecision({
        ...tick(T0 + 10),
        commands: [
          heal('inc-1:heal:1', { payload: 'different' }),
          heal('inc-1:heal:2'),
          heal('inc-1:heal:2', { payload: 'twice in one decision' }),
        ],
      });
      const listed = await store.listCommands();
      assert.deepEqual(
        listed.map((c) => [c.id, c.inputSeq, c.payload]),
        [
          ['inc-1:heal:1', first, heal('inc-1:heal:1').payload],
          ['inc-1:heal:2', again.seq, heal('inc-1:heal:2').payload],
        ],
      );
      assert.equal((await store.listDecisions()).length, 2);
    }));

  test('a command moves planned -> dispatched -> final; a repeated report changes nothing', () =>
    withStore(makeStore, async ({ store }) => {
      const id = 'inc-1:heal:1';
      await planOne(store);
      const current = async () => (await store.listCommands())[0];
      await store.updateCommand(id, { status: 'dispatched', at: T0 + 1, detail: 'run-7' });
      assert.deepEqual(
        [(await current())?.status, (await current())?.updatedAt, (await current())?.detail],
        ['dispatched', T0 + 1, 'run-7'],
      );
      await store.updateCommand(id, { status: 'dispatched', at: T0 + 2, detail: 'ignored' });
      assert.equal((await current())?.updatedAt, T0 + 1);
      assert.equal((await current())?.detail, 'run-7');
      // An omitted detail keeps the one there.
      await store.updateCommand(id, { status: 'succeeded', at: T0 + 3 });
      assert.deepEqual(
        [(await current())?.status, (await current())?.updatedAt, (await current())?.detail],
        ['succeeded', T0 + 3, 'run-7'],
      );
      await store.updateCommand(id, { status: 'succeeded', at: T0 + 4 });
      assert.equal((await current())?.updatedAt, T0 + 3);
      await assert.rejects(
        store.updateCommand(id, { status: 'failed', at: T0 + 5 }),
        (error) => error instanceof RangeError && /succeeded.*failed/.test(error.message),
      );
      await assert.rejects(
        store.updateCommand(id, { status: 'dispatched', at: T0 + 5 }),
        RangeError,
      );
      assert.equal((await current())?.status, 'succeeded');
    }));

  test('marking dispatched after the outcome (it came first) keeps the outcome and says so', () =>
    withStore(makeStore, async ({ store }) => {
      const id = 'inc-1:heal:1';
      await planOne(store);
      assert.equal(await store.markDispatched(id, T0 + 1), true);
      assert.equal((await store.listCommands())[0]?.status, 'dispatched');
      assert.equal(await store.markDispatched(id, T0 + 2), false);
      assert.equal((await store.listCommands())[0]?.updatedAt, T0 + 1);
      await store.updateCommand(id, { status: 'failed', at: T0 + 3 });
      assert.equal(await store.markDispatched(id, T0 + 4), false);
      assert.equal((await store.listCommands())[0]?.status, 'failed');
      await assert.rejects(store.markDispatched('nope', T0), RangeError);
    }));

  test('a final status may follow planned; an unplanned id or a bad time is refused', () =>
    withStore(makeStore, async ({ store }) => {
      await planOne(store);
      await store.updateCommand('inc-1:heal:1', { status: 'unknown', at: T0 + 1, detail: 'died' });
      assert.equal((await store.listCommands())[0]?.status, 'unknown');
      await assert.rejects(
        store.updateCommand('nope', { status: 'dispatched', at: T0 }),
        (error) => error instanceof RangeError && /nope/.test(error.message),
      );
      await assert.rejects(
        store.updateCommand('inc-1:heal:1', { status: 'failed', at: 1.5 }),
        TypeError,
      );
      assert.deepEqual(
        (await store.listCommands()).map((c) => c.id),
        ['inc-1:heal:1'],
      );
    }));

  test('of two racing final reports exactly one wins', () =>
    withStore(makeStore, async ({ store }) => {
      await planOne(store);
      const results = await Promise.allSettled(
        (['succeeded', 'failed', 'unknown'] as const).map((status) =>
          store.updateCommand('inc-1:heal:1', { status, at: T0 + 1, detail: status }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const [stored] = await store.listCommands();
      assert.equal(stored?.detail, stored?.status);
    }));

  test('lists filter by status and incident, with a limit', () =>
    withStore(makeStore, async ({ store }) => {
      await store.recordDecision({
        ...tick(T0),
        commands: [heal('inc-1:heal:1'), heal('inc-2:heal:1'), heal('inc-1:heal:2')],
      });
      await store.updateCommand('inc-1:heal:1', { status: 'dispatched', at: T0 + 1 });
      const ids = async (filter: Parameters<Store['listCommands']>[0]) =>
        (await store.listCommands(filter)).map((c) => c.id);
      assert.deepEqual(await ids({ status: 'planned' }), ['inc-2:heal:1', 'inc-1:heal:2']);
      assert.deepEqual(await ids({ incidentId: 'inc-1' }), ['inc-1:heal:1', 'inc-1:heal:2']);
      assert.deepEqual(await ids({ incidentId: 'inc-1', status: 'planned' }), ['inc-1:heal:2']);
      assert.deepEqual(await ids({ limit: 1 }), ['inc-1:heal:1']);
      assert.deepEqual(await ids({ status: 'failed' }), []);
      await assert.rejects(store.listCommands({ limit: -1 }), RangeError);
    }));
}

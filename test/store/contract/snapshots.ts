import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EngineSnapshot, SNAPSHOTS_KEPT } from '../../../src/store/store.ts';
import type { MakeStore } from '../contract.ts';
import { countRows, tick } from './decision-fixtures.ts';
import { T0, withStore } from './fixtures.ts';

function snapshot(inputSeq: number, overrides: Partial<EngineSnapshot> = {}): EngineSnapshot {
  return {
    inputSeq,
    at: T0 + inputSeq,
    state: { incidents: { 'inc-1': { service: 'api', attempts: [T0, T0 + 1] } }, ünï: null },
    configRevision: `rev-${inputSeq}`,
    ...overrides,
  };
}

export function snapshotContract(makeStore: MakeStore): void {
  test('none at first; a snapshot comes back as saved', () =>
    withStore(makeStore, async ({ store }) => {
      assert.equal(await store.latestSnapshot(), undefined);
      // The state before any input: replay then starts at the first input.
      await store.saveSnapshot(snapshot(0));
      assert.deepEqual(await store.latestSnapshot(), snapshot(0));
      const { seq } = await store.recordDecision(tick(T0));
      await store.saveSnapshot(snapshot(seq, { state: 'a string is JSON too' }));
      assert.deepEqual(
        await store.latestSnapshot(),
        snapshot(seq, { state: 'a string is JSON too' }),
      );
    }));

  test('the latest is the one with the highest input seq, whatever the saving order', () =>
    withStore(makeStore, async ({ store }) => {
      const recorded = [];
      for (let n = 0; n < 3; n++) recorded.push((await store.recordDecision(tick(T0 + n))).seq);
      const [a, b, c] = recorded as [number, number, number];
      await store.saveSnapshot(snapshot(b));
      await store.saveSnapshot(snapshot(a));
      assert.equal((await store.latestSnapshot())?.inputSeq, b);
      await store.saveSnapshot(snapshot(c));
      // A second snapshot at the same input: the later one wins.
      await store.saveSnapshot(snapshot(c, { configRevision: 'later' }));
      assert.deepEqual(await store.latestSnapshot(), snapshot(c, { configRevision: 'later' }));
    }));

  test(`keeps only the newest ${SNAPSHOTS_KEPT}`, () =>
    withStore(makeStore, async (harness) => {
      const { store } = harness;
      const saved = [];
      for (let n = 0; n < SNAPSHOTS_KEPT + 3; n++) {
        const { seq } = await store.recordDecision(tick(T0 + n));
        await store.saveSnapshot(snapshot(seq));
        saved.push(seq);
        assert.equal(await countRows(harness, 'engine_snapshots'), Math.min(n + 1, SNAPSHOTS_KEPT));
      }
      const kept = await harness.queryRaw('select input_seq from engine_snapshots');
      assert.deepEqual(
        kept.map((row) => Number(row.input_seq)).sort((x, y) => x - y),
        saved.slice(-SNAPSHOTS_KEPT),
      );
      assert.equal((await store.latestSnapshot())?.inputSeq, saved.at(-1));
    }));

  test('a snapshot after an input that was never recorded is refused', () =>
    withStore(makeStore, async (harness) => {
      const { store } = harness;
      const { seq } = await store.recordDecision(tick(T0));
      await assert.rejects(store.saveSnapshot(snapshot(seq + 1)), RangeError);
      await assert.rejects(store.saveSnapshot(snapshot(-1)), RangeError);
      await assert.rejects(store.saveSnapshot(snapshot(seq, { at: T0 + 0.5 })), TypeError);
      await assert.rejects(store.saveSnapshot(snapshot(seq, { state: { n: 1n } })), TypeError);
      assert.equal(await countRows(harness, 'engine_snapshots'), 0);
      assert.equal(await store.latestSnapshot(), undefined);
    }));
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Observation } from '../../../src/signals/observation.ts';
import type { MakeStore } from '../contract.ts';
import {
  failedObservation,
  recordSignal,
  richObservation,
  signal,
  T0,
  withStore,
} from './fixtures.ts';

export function signalContract(makeStore: MakeStore): void {
  test('a signal comes back exactly as recorded: evidence, labels, every field', () =>
    withStore(makeStore, async ({ store }) => {
      const recorded = signal({
        labels: { service: 'api', 'team.name': 'payments "core"', empty: '', ünï: 'cödé ✓' },
        evidence: [
          failedObservation(T0 - 30_000, { status: 'NOT_SERVING' }),
          { ok: true, startedAt: T0 - 20_000, durationMs: 0.25, status: 200, output: '' },
          richObservation(T0 - 10_000),
        ],
      });
      const id = await recordSignal(store, recorded);
      assert.deepEqual(await store.listSignals(), [{ ...recorded, id }]);
    }));

  test('absent optional fields stay absent; a signal may carry no evidence', () =>
    withStore(makeStore, async ({ store }) => {
      const { check: _, ...withoutCheck } = signal({ evidence: [], labels: {} });
      const id = await recordSignal(store, withoutCheck);
      const [stored] = await store.listSignals();
      assert.deepEqual(stored, { ...withoutCheck, id });
      assert.equal(stored !== undefined && 'check' in stored, false);
      const ok: Observation = { ok: true, startedAt: T0, durationMs: 5 };
      await recordSignal(store, signal({ evidence: [ok] }));
      const [, withOk] = await store.listSignals();
      assert.deepEqual(withOk?.evidence, [ok]);
      assert.equal(withOk?.evidence[0] !== undefined && 'error' in withOk.evidence[0], false);
    }));

  test('each signal keeps its own evidence, oldest first', () =>
    withStore(makeStore, async ({ store }) => {
      const first = [1, 2, 3].map((n) => failedObservation(T0 + n, { error: `first ${n}` }));
      const second = [4, 5].map((n) => failedObservation(T0 + n, { error: `second ${n}` }));
      await recordSignal(store, signal({ service: 'a', evidence: first }));
      await recordSignal(store, signal({ service: 'b', evidence: second }));
      const listed = await store.listSignals();
      assert.deepEqual(
        listed.map((s) => s.evidence),
        [first, second],
      );
    }));

  test('ids increase in recording order', () =>
    withStore(makeStore, async ({ store }) => {
      const ids = [];
      for (let n = 0; n < 5; n++) ids.push(await recordSignal(store, signal({ at: T0 - n })));
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
      );
      assert.equal(new Set(ids).size, 5);
    }));

  test('filters by service and by time: since inclusive, until exclusive', () =>
    withStore(makeStore, async ({ store }) => {
      for (const [service, at] of [
        ['api', T0],
        ['db', T0 + 1000],
        ['api', T0 + 2000],
        ['api', T0 + 3000],
      ] as const) {
        await recordSignal(store, signal({ service, at }));
      }
      const times = async (filter: Parameters<typeof store.listSignals>[0]) =>
        (await store.listSignals(filter)).map((s) => `${s.service}@${s.at - T0}`);
      assert.deepEqual(await times({ service: 'api' }), ['api@0', 'api@2000', 'api@3000']);
      assert.deepEqual(await times({ since: T0 + 1000 }), ['db@1000', 'api@2000', 'api@3000']);
      assert.deepEqual(await times({ until: T0 + 2000 }), ['api@0', 'db@1000']);
      assert.deepEqual(await times({ service: 'api', since: T0 + 1, until: T0 + 3000 }), [
        'api@2000',
      ]);
      assert.deepEqual(await times({ service: 'cache' }), []);
    }));

  test('orders by time, oldest first unless asked; equal times keep recording order', () =>
    withStore(makeStore, async ({ store }) => {
      // Recorded out of time order, with a tie at T0 + 10.
      for (const [summary, at] of [
        ['late', T0 + 20],
        ['tie-1', T0 + 10],
        ['early', T0],
        ['tie-2', T0 + 10],
      ] as const) {
        await recordSignal(store, signal({ summary, at }));
      }
      const order = async (filter: Parameters<typeof store.listSignals>[0]) =>
        (await store.listSignals(filter)).map((s) => s.summary);
      assert.deepEqual(await order({}), ['early', 'tie-1', 'tie-2', 'late']);
      assert.deepEqual(await order({ order: 'newest-first' }), ['late', 'tie-2', 'tie-1', 'early']);
      assert.deepEqual(await order({ limit: 2 }), ['early', 'tie-1']);
      assert.deepEqual(await order({ limit: 2, order: 'newest-first' }), ['late', 'tie-2']);
      assert.deepEqual(await order({ limit: 0 }), []);
    }));

  test('epoch-ms timestamps come back as the same numbers, up to the largest safe integer', () =>
    withStore(makeStore, async ({ store }) => {
      const far = Number.MAX_SAFE_INTEGER;
      const recorded = signal({
        startsAt: 0,
        at: far,
        evidence: [failedObservation(far - 1, { durationMs: 0.125 })],
      });
      const id = await recordSignal(store, recorded);
      const [stored] = await store.listSignals({ since: far });
      assert.deepEqual(stored, { ...recorded, id });
      assert.equal(typeof stored?.at, 'number');
      assert.equal(typeof stored?.startsAt, 'number');
      assert.equal(typeof stored?.evidence[0]?.startedAt, 'number');
      assert.equal(typeof stored?.id, 'number');
    }));

  test('a timestamp that is not an integer is refused before anything is written', () =>
    withStore(makeStore, async ({ store }) => {
      await assert.rejects(recordSignal(store, signal({ at: T0 + 0.5 })), TypeError);
      await assert.rejects(recordSignal(store, signal({ startsAt: Number.NaN })), TypeError);
      await assert.rejects(
        recordSignal(store, signal({ evidence: [failedObservation(T0 + 0.5)] })),
        TypeError,
      );
      await assert.rejects(store.listSignals({ since: 1.5 }), TypeError);
      assert.deepEqual(await store.listSignals(), []);
    }));

  test('a signal whose evidence cannot be stored leaves no trace', () =>
    withStore(makeStore, async ({ store }) => {
      // JSON has no bigint: the evidence fails after the signal itself was serialised.
      const unstorable = { ...failedObservation(T0), status: 10n } as unknown as Observation;
      await assert.rejects(recordSignal(store, signal({ evidence: [unstorable] })));
      assert.deepEqual(await store.listSignals(), []);
    }));

  test('concurrent recordings all land, each with its own evidence', () =>
    withStore(makeStore, async ({ store }) => {
      const signals = Array.from({ length: 40 }, (_, n) =>
        signal({ at: T0 + n, summary: `s${n}`, evidence: [failedObservation(T0 + n)] }),
      );
      const ids = await Promise.all(signals.map((s) => recordSignal(store, s)));
      assert.equal(new Set(ids).size, 40);
      const listed = await store.listSignals();
      assert.deepEqual(
        listed.map(({ id: _, ...rest }) => rest),
        signals,
      );
    }));
}

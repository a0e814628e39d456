import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JournalEntry, StoredJournalEntry } from '../../../src/store/store.ts';
import type { MakeStore } from '../contract.ts';
import { T0, withStore } from './fixtures.ts';

function entry(overrides: Partial<JournalEntry> = {}): JournalEntry {
  return {
    runId: 'run-1',
    stepIndex: 0,
    attempt: 1,
    idempotencyKey: '7:0:1',
    phase: 'intent',
    at: T0,
    payload: { step: 'exec', argv: ['systemctl', 'restart', 'api'] },
    ...overrides,
  };
}

export function journalContract(makeStore: MakeStore): void {
  test('an entry comes back as appended', () =>
    withStore(makeStore, async ({ store }) => {
      const appended = await store.appendJournal(entry());
      assert.equal(appended.created, true);
      assert.deepEqual(appended.entry, { ...entry(), id: appended.entry.id });
    }));

  test('one intent and one result per idempotency key: a repeat writes nothing', () =>
    withStore(makeStore, async ({ store }) => {
      const intent = await store.appendJournal(entry());
      const repeat = await store.appendJournal(entry({ at: T0 + 5, payload: { other: true } }));
      assert.equal(repeat.created, false);
      assert.deepEqual(repeat.entry, intent.entry);
      const result = await store.appendJournal(
        entry({ phase: 'result', at: T0 + 100, payload: { exitCode: 0 } }),
      );
      assert.equal(result.created, true);
      const repeatResult = await store.appendJournal(entry({ phase: 'result', at: T0 + 200 }));
      assert.equal(repeatResult.created, false);
      assert.deepEqual(repeatResult.entry, result.entry);
      // The key is global: another run cannot journal the same command again either.
      const otherRun = await store.appendJournal(entry({ runId: 'run-2' }));
      assert.equal(otherRun.created, false);
      assert.deepEqual(otherRun.entry, intent.entry);
      assert.deepEqual(await store.listJournal('run-1'), [intent.entry, result.entry]);
      assert.deepEqual(await store.listJournal('run-2'), []);
    }));

  test('concurrent appends of one intent: exactly one is created', () =>
    withStore(makeStore, async ({ store }) => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, n) => store.appendJournal(entry({ at: T0 + n }))),
      );
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.entry.id)).size, 1);
    }));

  test("lists a run's journal in append order, and only that run's", () =>
    withStore(makeStore, async ({ store }) => {
      const appended: StoredJournalEntry[] = [];
      for (const [runId, key, phase] of [
        ['run-1', 'k:0:1', 'intent'],
        ['run-2', 'j:0:1', 'intent'],
        ['run-1', 'k:0:1', 'result'],
        ['run-1', 'k:1:1', 'intent'],
      ] as const) {
        // Append order wins over `at`: the journal is the order things were written.
        const at = T0 - appended.length;
        appended.push(
          (await store.appendJournal(entry({ runId, idempotencyKey: key, phase, at }))).entry,
        );
      }
      assert.deepEqual(
        (await store.listJournal('run-1')).map((e) => e.id),
        [appended[0]?.id, appended[2]?.id, appended[3]?.id],
      );
      assert.deepEqual(await store.listJournal('nope'), []);
    }));

  test("follows every run's journal after an entry, in append order, a page at a time", () =>
    withStore(makeStore, async ({ store }) => {
      assert.deepEqual(await store.latestPositions(), { seq: 0, journal: 0 });
      const ids: number[] = [];
      for (const [runId, key] of [
        ['run-1', 'a:0:1'],
        ['run-2', 'b:0:1'],
        ['run-1', 'a:1:1'],
      ] as const) {
        ids.push((await store.appendJournal(entry({ runId, idempotencyKey: key }))).entry.id);
      }
      const all = await store.journalAfter(0, 10);
      assert.deepEqual(
        all.map((e) => [e.id, e.runId]),
        [
          [ids[0], 'run-1'],
          [ids[1], 'run-2'],
          [ids[2], 'run-1'],
        ],
      );
      assert.deepEqual(
        (await store.journalAfter(ids[0]!, 1)).map((e) => e.id),
        [ids[1]],
      );
      assert.deepEqual(await store.journalAfter(ids[2]!, 10), []);
      await assert.rejects(store.journalAfter(0.5, 10), { name: 'TypeError' });
      assert.deepEqual(await store.latestPositions(), { seq: 0, journal: ids[2] });
    }));
}

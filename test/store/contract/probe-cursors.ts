import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MakeStore } from '../contract.ts';
import { T0, withStore } from './fixtures.ts';

export function probeCursorContract(makeStore: MakeStore): void {
  test('cursors are kept per check, overwritten by the newest, and survive a reopen', () =>
    withStore(makeStore, async (harness) => {
      assert.deepEqual(await harness.store.listProbeCursors(), []);
      await harness.store.saveProbeCursors([
        {
          check: 'web/errors',
          cursor: { file: '2049:18446744073709551615', offset: 10 },
          updatedAt: T0,
        },
        { check: 'api/errors', cursor: { file: '1:2', offset: 0 }, updatedAt: T0 },
      ]);
      await harness.store.saveProbeCursors([
        {
          check: 'web/errors',
          cursor: { file: '2049:18446744073709551615', offset: 99 },
          updatedAt: T0 + 5,
        },
      ]);
      await harness.store.saveProbeCursors([]);
      const reopened = await harness.reopen();
      assert.deepEqual(await reopened.listProbeCursors(), [
        { check: 'api/errors', cursor: { file: '1:2', offset: 0 }, updatedAt: T0 },
        {
          check: 'web/errors',
          cursor: { file: '2049:18446744073709551615', offset: 99 },
          updatedAt: T0 + 5,
        },
      ]);
    }));

  test('a time that is not integer epoch ms is refused and nothing of the call is kept', () =>
    withStore(makeStore, async ({ store }) => {
      await assert.rejects(
        store.saveProbeCursors([
          { check: 'a/b', cursor: { offset: 1 }, updatedAt: T0 },
          { check: 'c/d', cursor: { offset: 1 }, updatedAt: 1.5 },
        ]),
        TypeError,
      );
      assert.deepEqual(await store.listProbeCursors(), []);
    }));
}

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ProbeCursorKeeper } from '../../src/decisions/probe-cursors.ts';
import type { ProbeOutcome } from '../../src/signals/scheduler.ts';
import { createLogger } from '../../src/support/log.ts';
import { tempStore } from '../helpers/test-store.ts';

const log = createLogger({ level: 'silent', pretty: false });

const outcome = (key: string, cursor?: unknown): ProbeOutcome => ({
  key,
  revision: '1',
  latenessMs: 0,
  observation: {
    ok: true,
    startedAt: 0,
    durationMs: 1,
    ...(cursor === undefined ? {} : { cursor }),
  },
});

test('the keeper writes the newest cursor of each check once per flush, and only what moved', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-cursors-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await tempStore(dir);
  t.after(() => store.close());
  const writes: number[] = [];
  const counted = {
    saveProbeCursors: async (cursors: Parameters<typeof store.saveProbeCursors>[0]) => {
      writes.push(cursors.length);
      await store.saveProbeCursors(cursors);
    },
  };
  const kept = [{ check: 'app/errors', cursor: { file: '1:2', offset: 5 }, updatedAt: 1 }];
  let now = 1000;
  const keeper = new ProbeCursorKeeper({ store: counted, log, kept, now: () => now });

  keeper.note([outcome('app/errors', { file: '1:2', offset: 5 }), outcome('app/live')]);
  await keeper.flush();
  assert.deepEqual(writes, [], 'an unchanged cursor, and a probe without one, write nothing');

  keeper.note([outcome('app/errors', { file: '1:2', offset: 9 })]);
  keeper.note([
    outcome('app/errors', { file: '1:2', offset: 12 }),
    outcome('web/errors', { offset: 1 }),
  ]);
  now = 2000;
  await keeper.stop();
  assert.deepEqual(writes, [2]);
  assert.deepEqual(await store.listProbeCursors(), [
    { check: 'app/errors', cursor: { file: '1:2', offset: 12 }, updatedAt: 2000 },
    { check: 'web/errors', cursor: { offset: 1 }, updatedAt: 2000 },
  ]);
});

test('a write the store refuses is kept for the next one, unless a newer cursor came', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-cursors-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await tempStore(dir);
  t.after(() => store.close());
  let refuse = true;
  const flaky = {
    saveProbeCursors: async (cursors: Parameters<typeof store.saveProbeCursors>[0]) => {
      if (refuse) throw new Error('database is locked');
      await store.saveProbeCursors(cursors);
    },
  };
  const keeper = new ProbeCursorKeeper({ store: flaky, log, now: () => 5 });
  keeper.note([outcome('a/log', { offset: 1 }), outcome('b/log', { offset: 1 })]);
  await keeper.flush();
  keeper.note([outcome('b/log', { offset: 2 })]);
  refuse = false;
  await keeper.flush();
  assert.deepEqual(
    (await store.listProbeCursors()).map(({ check, cursor }) => [check, cursor]),
    [
      ['a/log', { offset: 1 }],
      ['b/log', { offset: 2 }],
    ],
  );
});

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StepRecord } from '../../src/runbooks/journal.ts';
import { openStore } from '../../src/store/open.ts';
import {
  APPEND_STEP,
  driveHeal as drive,
  NODE,
  runbookYaml,
  serviceYaml,
  withTempDir,
} from './helpers.ts';

const q = JSON.stringify;

/**
 * mend killed with SIGKILL at each step boundary of a 4-step runbook, then started again on the
 * same SQLite file. Each step appends to a file, so the file says what really ran, and how often.
 * A (exec) and C (exec) are not idempotent; B (exec) is declared idempotent; D is verify.
 */
function runbook(log: string, sleepMs: { a?: number; b?: number } = {}): string {
  const step = (name: string, extra = '', sleep = 0) =>
    `    - name: ${name}\n      exec: {command: [${q(NODE)}, ${q(APPEND_STEP)}, ${q(log)}, ${name}, "${sleep}"]}${extra}`;
  return (
    serviceYaml('api') +
    runbookYaml(
      'heal',
      `  steps:\n${step('A', '', sleepMs.a)}\n${step('B', '\n      idempotent: true', sleepMs.b)}\n${step('C')}\n    - name: D\n      verify: {}`,
    )
  );
}

async function lines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/ (start|done)$/, ''));
}

const each = (names: string) => names.split('').flatMap((n) => [n, n]);

/** Kill point -> what the file holds after the restart, and the outcome. */
const CASES: [string, string[], string][] = [
  ['intent:run', each('ABC'), 'succeeded'],
  ['intent:steps:0', [], 'unknown'], // A journaled, maybe started: not idempotent, not run again
  ['result:steps:0', each('ABC'), 'succeeded'],
  ['intent:steps:1', each('ABC'), 'succeeded'], // B is idempotent: run (again)
  ['result:steps:1', each('ABC'), 'succeeded'],
  ['intent:steps:2', each('AB'), 'unknown'],
  ['result:steps:2', each('ABC'), 'succeeded'],
  ['intent:steps:3', each('ABC'), 'succeeded'], // verify is idempotent
  ['result:steps:3', each('ABC'), 'succeeded'], // all done but the run's result: written on restart
];

test('SIGKILL at each step boundary, then a restart on the same store', async () => {
  await Promise.all(
    CASES.map(([killAt, expected, result]) =>
      withTempDir(async (dir) => {
        const log = join(dir, 'steps.log');
        await writeFile(join(dir, 'mend.yaml'), runbook(log));
        const killed = await drive(dir, { KILL_AT: killAt });
        assert.equal(killed.signal, 'SIGKILL', `${killAt}: ${killed.stdout}`);
        assert.ok(killed.stdout.trim().endsWith(`journaled ${killAt}`), killed.stdout);
        const restarted = await drive(dir);
        assert.equal(restarted.outcome?.result, result, `${killAt}: ${q(restarted.outcome)}`);
        assert.deepEqual(await lines(log), expected, killAt);
        const store = await openStore({ path: join(dir, 'mend.db') });
        const rows = await store.listJournal('inc-1:heal:1');
        await store.close();
        // Every step row written once: the journal never holds a repeat of a key.
        const keys = rows.map((r) => `${r.phase} ${r.idempotencyKey}`);
        assert.equal(new Set(keys).size, keys.length);
        if (killAt === 'intent:steps:1') {
          const b = rows
            .filter((r) => r.phase === 'result' && r.stepIndex === 1)
            .map((r) => (r.payload as StepRecord).status);
          assert.deepEqual(b, ['interrupted', 'ok']);
        }
        if (result === 'unknown') {
          assert.match(restarted.outcome!.detail, /is not idempotent, so it is not run again/);
        }
      }),
    ),
  );
});

test('SIGKILL while a step runs: not idempotent -> unknown; idempotent -> run again', async () => {
  for (const [step, expectStarts, result] of [
    ['A', 1, 'unknown'],
    ['B', 2, 'succeeded'],
  ] as const) {
    await withTempDir(async (dir) => {
      const log = join(dir, 'steps.log');
      const sleep = step === 'A' ? { a: 800 } : { b: 800 };
      await writeFile(join(dir, 'mend.yaml'), runbook(log, sleep));
      // Killed from outside once the step says it started; the step itself outlives mend.
      const started = async () =>
        (await readFile(log, 'utf8').catch(() => '')).includes(`${step} start`);
      const killed = await drive(dir, {}, started);
      assert.ok(
        !killed.stdout.includes(`journaled result:steps:${step === 'A' ? 0 : 1}`),
        killed.stdout,
      );
      assert.equal(killed.signal, 'SIGKILL');
      const restarted = await drive(dir);
      assert.equal(restarted.outcome?.result, result, q(restarted.outcome));
      await new Promise((resolve) => setTimeout(resolve, 900)); // let the orphaned step finish
      const starts = (await readFile(log, 'utf8')).split('\n').filter((l) => l === `${step} start`);
      assert.equal(starts.length, expectStarts);
    });
  }
});

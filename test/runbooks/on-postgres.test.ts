import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { requirePostgres } from '../helpers/postgres.ts';

/**
 * The runbook executor's tests (journal, resume, idempotency keys) and the action port's, run
 * again with every store on PostgreSQL (helpers.ts tempStore reads MEND_TEST_STORE): the same
 * behaviour on both stores, shown by the same tests rather than by copies of them.
 */
const FILES = ['test/runbooks/executor.test.ts', 'test/runbooks/action-port.test.ts'];

test('the runbook executor and action port tests pass with a PostgreSQL store', async () => {
  await requirePostgres();
  // Without NODE_TEST_CONTEXT, or node --test would see itself nested and run nothing.
  const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
  const child = spawn(process.execPath, ['--test', ...FILES], {
    env: { ...env, MEND_TEST_STORE: 'postgres' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, output);
  assert.match(output, /^ℹ fail 0$/m);
  assert.doesNotMatch(output, /^ℹ pass 0$/m);
});

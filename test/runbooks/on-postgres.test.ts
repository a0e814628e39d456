import { test } from 'node:test';
import { runOnPostgres } from '../helpers/test-store.ts';

/**
 * The runbook executor's tests (journal, resume, idempotency keys) and the action port's, run
 * again with every store on PostgreSQL (test/helpers/test-store.ts reads MEND_TEST_STORE).
 */
test('the runbook executor and action port tests pass with a PostgreSQL store', async () => {
  await runOnPostgres(['test/runbooks/executor.test.ts', 'test/runbooks/action-port.test.ts']);
});

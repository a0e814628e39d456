import { test } from 'node:test';
import { runOnPostgres } from '../helpers/test-store.ts';

/**
 * The decision loop's tests (signals and decisions recorded together, restart from the record,
 * operator requests applied once, alerts grouped into commits, probe cursors) run again with
 * their stores on PostgreSQL (test/helpers/test-store.ts reads MEND_TEST_STORE). The tests of an
 * SQLite file's own faults (a full disk, a deleted file) open their file directly and stay on
 * SQLite in both runs.
 */
test('the decision loop, operator request, alert group commit and cursor tests pass with a PostgreSQL store', async () => {
  await runOnPostgres([
    'test/decisions/decision-loop.test.ts',
    'test/decisions/operator-requests.test.ts',
    'test/decisions/alert-write-group.test.ts',
    'test/decisions/probe-cursors.test.ts',
  ]);
});

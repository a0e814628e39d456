import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUDGET } from './fuzz/run-case.ts';
import { runCases } from './fuzz/run-cases.ts';

// A few hundred mutated example configs, the same ones on every run (seeds 1..N), grown to at
// most 16 KiB to keep `npm test` fast (each limit has its own test in load-bounds.test.ts);
// thousands more, up to past the file size limit: `npm run fuzz:config -- --cases 5000`. They
// run in a worker with a bounded heap, and a case that hangs is terminated and reported.
const CASES = 300;

test(`${CASES} mutated example configs: each loads within its budget, errors one clean line each`, async () => {
  const seeds = Array.from({ length: CASES }, (_, i) => i + 1);
  const results = await runCases(seeds, {
    maxLength: 16 * 1024,
    heapMb: BUDGET.heapMb / 2,
    batch: CASES,
  });
  assert.equal(results.length, CASES);
  assert.deepEqual(
    results.flatMap((result) => (result.problem ? [result.problem] : [])),
    [],
  );
});

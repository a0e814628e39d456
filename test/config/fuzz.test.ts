import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCase } from './fuzz/run-case.ts';

// A few hundred mutated example configs, the same ones on every run (seeds 1..N), grown to at
// most 16 KiB to keep `npm test` fast (each limit has its own test in load-bounds.test.ts);
// thousands more, up to past the file size limit: `npm run fuzz:config -- --cases 5000`.
const CASES = 300;

test(`${CASES} mutated example configs: each loads within its budget, errors one clean line each`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-fuzz-'));
  try {
    const problems: string[] = [];
    for (let seed = 1; seed <= CASES; seed++) {
      const result = await runCase(seed, dir, 16 * 1024);
      if (result.problem) problems.push(result.problem);
    }
    assert.deepEqual(problems, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

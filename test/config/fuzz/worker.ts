// Runs fuzz cases in a worker thread, so that the main thread can bound each one: a worker
// past its heap limit dies with ERR_WORKER_OUT_OF_MEMORY, and one stuck in a case is
// terminated. Posts `{ started: seed }` before each case and its CaseResult after.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { runCase } from './run-case.ts';

const { seeds, maxLength } = workerData as { seeds: number[]; maxLength: number };
const dir = await mkdtemp(join(tmpdir(), 'mend-fuzz-'));
try {
  for (const seed of seeds) {
    parentPort!.postMessage({ started: seed });
    parentPort!.postMessage(await runCase(seed, dir, maxLength));
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

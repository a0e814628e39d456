// Runs fuzz cases in a worker thread, so that the main thread can bound each one: a worker
// past its heap limit dies with ERR_WORKER_OUT_OF_MEMORY, and one stuck in a case is
// terminated. Posts `{ started: seed }` before each case and its CaseResult after.
import { parentPort, workerData } from 'node:worker_threads';
import { runCase } from './run-case.ts';

// The folder is the caller's to remove: a terminated worker runs no `finally`.
const { seeds, maxLength, dir } = workerData as { seeds: number[]; maxLength: number; dir: string };
for (const seed of seeds) {
  parentPort!.postMessage({ started: seed });
  parentPort!.postMessage(await runCase(seed, dir, maxLength));
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BUDGET, type CaseResult } from './run-case.ts';

export interface Bounds {
  /** Grow mutated files to at most this many characters. */
  maxLength: number;
  /** The worker's heap (old generation): a case whose live memory exceeds it fails. */
  heapMb: number;
  /** Cases in one worker; a fresh worker for each batch. */
  batch: number;
}

/**
 * Run the cases of `seeds` in worker threads within `bounds`, and a case that runs out of
 * memory, or past twice its time budget for the largest input (a hang), is a failed case, not
 * a dead or stuck test run. `onResult` sees each result as it comes.
 */
export async function runCases(
  seeds: readonly number[],
  bounds: Bounds,
  onResult: (result: CaseResult) => void = () => {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (let i = 0; i < seeds.length; i += bounds.batch) {
    const batch = seeds.slice(i, i + bounds.batch);
    const dir = await mkdtemp(join(tmpdir(), 'mend-fuzz-'));
    try {
      for (const result of await runBatch(batch, bounds, dir)) {
        results.push(result);
        onResult(result);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return results;
}

function runBatch(seeds: readonly number[], bounds: Bounds, dir: string): Promise<CaseResult[]> {
  const hangMs = 2 * (BUDGET.ms + (BUDGET.msPerMiB * bounds.maxLength) / 2 ** 20);
  return new Promise((resolve) => {
    const results: CaseResult[] = [];
    const worker = new Worker(new URL('./worker.ts', import.meta.url), {
      workerData: { seeds, maxLength: bounds.maxLength, dir },
      resourceLimits: { maxOldGenerationSizeMb: bounds.heapMb },
    });
    let current: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const rest = (problem: string) => {
      if (current !== undefined) results.push({ seed: current, ms: 0, problem });
      const done = new Set(results.map((r) => r.seed));
      const left = seeds.filter((seed) => !done.has(seed));
      // The cases after a lost one run in a new worker.
      if (left.length === 0) return resolve(results);
      void runBatch(left, bounds, dir).then((more) => resolve([...results, ...more]));
    };
    worker.on('message', (message: { started: number } | CaseResult) => {
      clearTimeout(timer);
      if ('started' in message) {
        current = message.started;
        timer = setTimeout(() => {
          void worker.terminate();
          rest(`seed ${current}: still running after ${hangMs} ms (terminated)`);
          current = undefined;
        }, hangMs);
        return;
      }
      results.push(message);
      current = undefined;
    });
    worker.on('error', (err) => {
      clearTimeout(timer);
      const code = (err as NodeJS.ErrnoException).code;
      const what =
        code === 'ERR_WORKER_OUT_OF_MEMORY' ? `over ${bounds.heapMb} MB of heap` : err.stack;
      rest(`seed ${current}: ${what}`);
      current = undefined;
    });
    worker.on('exit', () => {
      clearTimeout(timer);
      if (results.length === seeds.length) resolve(results);
    });
  });
}

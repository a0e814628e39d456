import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { loadMendConfig } from '../../../src/documents.ts';
import { mutate, random } from './mutate.ts';

/**
 * What each case may use at most. Time is linear in the input: the YAML parser reads 0.5 to
 * 1 MiB a second here (content and a busy machine make the difference), so a file near the
 * 8 MiB limit takes seconds however it is written; what must never happen is more than that
 * (the superlinear inputs of issue 15 took minutes, or for ever).
 */
export const BUDGET = {
  /** Milliseconds for one load, plus `msPerMiB` for each MiB of input. */
  ms: 3000,
  msPerMiB: 4000,
  /** The live heap of the worker a case runs in (run-cases.ts): past it, the case fails. */
  heapMb: 1024,
};

/** The shipped example configs, each a set of files that load together. */
export const CONFIG_SETS: string[][] = [
  [
    'examples/demo/services.yaml',
    'examples/demo/policies.yaml',
    'examples/runbooks/restart.yaml',
    'examples/notifiers/notifiers.yaml',
  ],
  ['examples/policies/services.yaml', 'examples/policies/policies.yaml'],
  ['examples/runbooks/restart.yaml', 'examples/runbooks/redeploy.yaml'],
];

const ROOT = new URL('../../../', import.meta.url).pathname;

export interface CaseResult {
  seed: number;
  ms: number;
  problem?: string;
}

/**
 * Load one mutated example set (one of its files mutated) from `dir` and check the loader kept
 * its promises: no exception, within the time budget, and each error one line of
 * FILE[:LINE:COL]: message, with no stack trace in it. (Memory: run-cases.ts runs this in a
 * worker with a bounded heap.)
 */
export async function runCase(seed: number, dir: string, maxLength?: number): Promise<CaseResult> {
  const rnd = random(seed);
  const set = CONFIG_SETS[Math.floor(rnd() * CONFIG_SETS.length)]!;
  const target = Math.floor(rnd() * set.length);
  const paths: string[] = [];
  let applied: string[] = [];
  let bytes = 0;
  for (const [i, file] of set.entries()) {
    const path = join(dir, `${i}-${file.replaceAll('/', '-')}`);
    let text = await readFile(join(ROOT, file), 'utf8');
    if (i === target) ({ text, applied } = mutate(text, rnd, maxLength));
    await writeFile(path, text);
    bytes += Buffer.byteLength(text);
    paths.push(path);
  }
  const what = `seed ${seed} (${applied.join(', ')} on ${relative(ROOT, join(ROOT, set[target]!))})`;
  const started = performance.now();
  let result: Awaited<ReturnType<typeof loadMendConfig>>;
  try {
    result = await loadMendConfig(paths);
  } catch (err) {
    return { seed, ms: 0, problem: `${what}: threw ${(err as Error).stack}` };
  }
  const ms = performance.now() - started;
  const budgetMs = BUDGET.ms + (BUDGET.msPerMiB * bytes) / 2 ** 20;
  if (ms > budgetMs) {
    return { seed, ms, problem: `${what}: took ${Math.round(ms)} ms for ${bytes} bytes` };
  }
  if ((result.config === undefined) === (result.errors.length === 0)) {
    return { seed, ms, problem: `${what}: a config and errors, or neither` };
  }
  for (const error of result.errors) {
    const line = error.format();
    if (!/^[^\n]+?(:\d+:\d+)?: \S/.test(line) || /\n|\bat (async )?\S+ \((file|node):/.test(line)) {
      return {
        seed,
        ms,
        problem: `${what}: not one clean error line: ${JSON.stringify(line.slice(0, 500))}`,
      };
    }
  }
  return { seed, ms };
}

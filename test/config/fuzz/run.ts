// The config loader's fuzzer at scale: `npm run fuzz:config -- [--cases 3000] [--seed 1]
// [--max-bytes 17825792]`. Each case is one mutated example config set (fuzz/mutate.ts) loaded
// with the budget of run-case.ts; a failing case prints its seed, and `--seed S --cases 1`
// runs it again. Exit 1 when any case failed.
import { parseArgs } from 'node:util';
import { MAX_TEXT } from './mutate.ts';
import { BUDGET } from './run-case.ts';
import { runCases } from './run-cases.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '1' },
    'max-bytes': { type: 'string', default: String(MAX_TEXT) },
  },
});
const cases = Number(values.cases);
const first = Number(values.seed);
const maxBytes = Number(values['max-bytes']);
const durations: number[] = [];
const problems: string[] = [];
const started = performance.now();
const seeds = Array.from({ length: cases }, (_, i) => first + i);
await runCases(seeds, { maxLength: maxBytes, heapMb: BUDGET.heapMb, batch: 200 }, (result) => {
  durations.push(result.ms);
  if (result.problem) {
    problems.push(result.problem);
    process.stdout.write(`FAIL ${result.problem.slice(0, 2000)}\n`);
  }
  if (durations.length % 500 === 0) {
    process.stdout.write(`${durations.length} cases, ${problems.length} failed\n`);
  }
});
durations.sort((a, b) => a - b);
const quantile = (q: number) => Math.round(durations[Math.floor(q * (durations.length - 1))] ?? 0);
process.stdout.write(
  `${cases} cases (seeds ${first}..${first + cases - 1}) in ${Math.round((performance.now() - started) / 1000)} s: ` +
    `load time median ${quantile(0.5)} ms, p99 ${quantile(0.99)} ms, max ${quantile(1)} ms ` +
    `(budget ${BUDGET.ms} ms + ${BUDGET.msPerMiB} ms/MiB, heap ${BUDGET.heapMb} MB)\n` +
    `${cases - problems.length} passed, ${problems.length} failed\n`,
);
process.exitCode = problems.length > 0 ? 1 : 0;

import { parseArgs } from 'node:util';
import { createEngine } from '../../src/policy/index.ts';
import { tableEntries } from '../../src/policy/table.ts';
import { goals } from './goals.ts';
import { InputStream } from './inputs.ts';
import { measure } from './measure.ts';
import { report } from './report.ts';
import { summarize } from './summary.ts';
import { benchConfig } from './workload.ts';

/**
 * Inputs per second through the pure decision engine, next to a baseline measured in the same
 * process and run (recording the same decisions in SQLite in memory), in alternate slices, so
 * the figure to judge is their ratio: absolute figures on a shared machine move with the load.
 * Also the time of each decision, with and without the GC pauses that overlapped it.
 *
 *   npx node --single-threaded bench/decide/run.ts [--services 10000] [--policies 50]
 *     [--inputs 1000000] [--warmup 100000] [--slice 10000] [--step-ms 5] [--json]
 */
const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    policies: { type: 'string', default: '50' },
    inputs: { type: 'string', default: '1000000' },
    warmup: { type: 'string', default: '100000' },
    slice: { type: 'string', default: '10000' },
    'step-ms': { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const services = Number(values.services);
const policies = Number(values.policies);
const slice = Number(values.slice);
const start = Date.UTC(2026, 10, 24);

const engine = createEngine(benchConfig(services, policies));
const stream = new InputStream(services, start, Number(values['step-ms']));
const measured = await measure(engine, stream, {
  warmup: Number(values.warmup),
  inputs: Number(values.inputs),
  slice,
});
const summary = summarize(measured);
const goalResults = goals(summary);

const inputKinds: Record<string, number> = {};
for (const kind of measured.kinds) inputKinds[kind] = (inputKinds[kind] ?? 0) + 1;
let openIncidents = 0;
for (const [, service] of tableEntries(measured.state.services)) {
  openIncidents += service.incidents.length;
}
const run = {
  services,
  policies,
  slice,
  inputKinds,
  commands: measured.commands,
  openIncidents,
  stateBytes: JSON.stringify(measured.state).length,
};

if (values.json) {
  const at = new Date().toISOString();
  const line = { at, ...run, ...summary, goals: goalResults, node: process.version };
  process.stdout.write(`${JSON.stringify(line)}\n`);
} else {
  process.stdout.write(report(run, summary, goalResults));
}

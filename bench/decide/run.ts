import { parseArgs } from 'node:util';
import { createEngine } from '../../src/policy/index.ts';
import { tableEntries } from '../../src/policy/table.ts';
import { InputStream } from './inputs.ts';
import { benchConfig } from './workload.ts';

/**
 * Inputs per second through the pure decision engine, and the time of each decision, for a
 * fleet of 10,000 services and 50 policies, on one core (one thread, nothing else running).
 * Only `decide` is timed; generating inputs and reacting to commands are not.
 *
 *   npx node bench/decide/run.ts [--services 10000] [--policies 50] [--inputs 1000000]
 */
const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    policies: { type: 'string', default: '50' },
    inputs: { type: 'string', default: '1000000' },
    warmup: { type: 'string', default: '100000' },
    'step-ms': { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const services = Number(values.services);
const policies = Number(values.policies);
const total = Number(values.inputs);
const warmup = Number(values.warmup);

const loadStarted = performance.now();
const engine = createEngine(benchConfig(services, policies));
const compileMs = performance.now() - loadStarted;
const stream = new InputStream(services, Date.UTC(2026, 10, 24), Number(values['step-ms']));
let state = engine.initialState();
const nanos = new Float64Array(total);
const counts = { heal: 0, page: 0, resolvePage: 0, requestApproval: 0 };
const kinds: Record<string, number> = {};
let measuredNs = 0n;
let cpuStart = process.cpuUsage();
let wallStart = performance.now();

for (let i = 0; i < warmup + total; i++) {
  if (i === warmup) {
    cpuStart = process.cpuUsage();
    wallStart = performance.now();
  }
  const input = stream.next();
  const started = process.hrtime.bigint();
  const decision = engine.decide(state, input, input.at);
  const took = process.hrtime.bigint() - started;
  state = decision.state;
  stream.observe(decision.commands);
  if (i < warmup) continue;
  nanos[i - warmup] = Number(took);
  measuredNs += took;
  kinds[input.kind] = (kinds[input.kind] ?? 0) + 1;
  for (const command of decision.commands) counts[command.kind]++;
}

// CPU time of the measured loop, harness included (input generation, timing): a conservative
// figure that, unlike wall time, does not grow when other processes share the machine.
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const wallSeconds = (performance.now() - wallStart) / 1000;
const sorted = nanos.sort();
const quantile = (q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! / 1000;
let openIncidents = 0;
for (const [, svc] of tableEntries(state.services)) openIncidents += svc.incidents.length;
const result = {
  services,
  policies,
  inputs: total,
  inputKinds: kinds,
  commands: counts,
  simulatedMinutes: Math.round((stream.now - Date.UTC(2026, 10, 24)) / 60_000),
  openIncidentsAtEnd: openIncidents,
  stateBytes: JSON.stringify(state).length,
  compileMs: Math.round(compileMs),
  inputsPerSecond: Math.round(total / (Number(measuredNs) / 1e9)),
  inputsPerCpuSecond: Math.round(total / cpuSeconds),
  cpuShare: Math.round((cpuSeconds / wallSeconds) * 100) / 100,
  p50Us: quantile(0.5),
  p90Us: quantile(0.9),
  p99Us: quantile(0.99),
  p999Us: quantile(0.999),
  maxUs: sorted[sorted.length - 1]! / 1000,
  node: process.version,
};
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  const f = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
  process.stdout.write(
    [
      `decide: ${f(services)} services, ${f(policies)} policies, ${f(total)} inputs (${Object.entries(
        kinds,
      )
        .map(([k, n]) => `${k} ${f(n)}`)
        .join(', ')})`,
      `commands: ${Object.entries(counts)
        .map(([k, n]) => `${k} ${f(n)}`)
        .join(
          ', ',
        )}; ${f(openIncidents)} incidents open at the end; state ${f(result.stateBytes / 1024)} KiB as JSON`,
      `throughput: ${f(result.inputsPerSecond)} inputs/s in decide (wall clock); ${f(result.inputsPerCpuSecond)} inputs per CPU-second, harness included; compile ${result.compileMs} ms`,
      `the process had ${f(result.cpuShare * 100)}% of a core (below 100%: the machine is busy, and the wall-clock figures suffer)`,
      `per decision: p50 ${f(result.p50Us)} µs, p90 ${f(result.p90Us)} µs, p99 ${f(result.p99Us)} µs, p99.9 ${f(result.p999Us)} µs, max ${f(result.maxUs)} µs`,
      '',
    ].join('\n'),
  );
}

import type { Goal } from './goals.ts';
import type { Latency, Spike, Spread, Summary } from './summary.ts';

export interface RunInfo {
  services: number;
  policies: number;
  slice: number;
  inputKinds: Record<string, number>;
  commands: Record<string, number>;
  openIncidents: number;
  stateBytes: number;
}

const f = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([name, n]) => `${name} ${f(n)}`)
    .join(', ');
const us = (value: number) => (value >= 1000 ? `${f(value / 1000, 2)} ms` : `${f(value)} µs`);
const quantiles = (l: Latency) =>
  `p50 ${us(l.p50Us)}, p90 ${us(l.p90Us)}, p99 ${us(l.p99Us)}, p99.9 ${us(l.p999Us)}, max ${us(l.maxUs)}`;
const range = (s: Spread, format: (n: number) => string) =>
  `p10 ${format(s.p10)}, median ${format(s.median)}, p90 ${format(s.p90)} (min ${format(s.min)}, max ${format(s.max)}; p90/p10 ${f(s.p90 / s.p10, 2)})`;

function causes(spikes: Spike[]): string {
  const counts: Record<string, number> = {};
  for (const { cause } of spikes) counts[cause] = (counts[cause] ?? 0) + 1;
  return list(counts);
}

/** The text report: what ran, on what machine, the figures, the ratio and the goals. */
export function report(run: RunInfo, s: Summary, goals: Goal[]): string {
  return [
    `decide: ${f(run.services)} services, ${f(run.policies)} policies, ${f(s.inputs)} inputs in ${s.slices} slices of ${f(run.slice)} (${list(run.inputKinds)})`,
    `commands: ${list(run.commands)}; ${f(run.openIncidents)} incidents open at the end; state ${f(run.stateBytes / 1024)} KiB as JSON`,
    machine(s),
    '',
    ...throughput(s, goals),
    '',
    ...latency(s),
    '',
  ].join('\n');
}

function machine({ load, cpuShare }: Summary): string {
  return `machine: load average ${f(load.loadAverage.start, 2)} -> ${f(load.loadAverage.end, 2)}, busy cores ${f(load.busyCores, 2)} of ${load.cores} (this process ${f(cpuShare, 2)}, steal ${f(load.stealCores, 2)}); this thread waited for a core ${f(load.waitedShare * 100)}% of the time`;
}

function throughput(s: Summary, goals: Goal[]): string[] {
  return [
    `decide:   ${f(s.decidePerSecond, 0)} inputs/s (wall clock in decide)`,
    `baseline: ${f(s.baselinePerSecond, 0)} inputs/s recorded in SQLite in memory (input and decision as JSON, ${f(s.recordedPerInput, 0)} characters per input)`,
    `ratio:    ${f(s.ratio, 2)} ± ${f(s.ratioError, 2)} inputs decided per input recorded (± one standard error over the slices)`,
    `  across slices: ratio ${range(s.sliceRatio, (n) => f(n, 2))}`,
    `  decide:        ${range(s.sliceDecidePerSecond, (n) => f(n, 0))} inputs/s`,
    ...goals.map((goal) => `goal: ${goal.text}: ${goal.pass ? 'PASS' : 'FAIL'}`),
  ];
}

function latency(s: Summary): string[] {
  const { gc } = s;
  return [
    `per decision: ${quantiles(s.latency)}`,
    `without GC pauses (${f(s.inputs - s.withoutGc.inputs)} decisions overlapped one, left out): ${quantiles(s.withoutGc)}`,
    `GC pauses in the measured slices: ${f(gc.minor.count)} minor (${f(gc.minor.totalMs)} ms in all, longest ${f(gc.minor.maxMs, 2)} ms), ${f(gc.major.count)} major (${f(gc.major.totalMs)} ms, longest ${f(gc.major.maxMs, 2)} ms)`,
    `by input kind: ${Object.entries(s.byKind)
      .map(
        ([kind, k]) =>
          `${kind} p99 ${us(k.p99Us)}, max ${us(k.maxUs)} (${us(k.maxWithoutGcUs)} without GC)`,
      )
      .join('; ')}`,
    `the ${s.slowest.length} slowest decisions, each taken again after the run (that time is its own work): ${causes(s.slowest)}`,
    ...s.slowest
      .slice(0, 5)
      .map(
        (d) =>
          `  #${d.index} ${d.kind} ${us(d.tookMs * 1000)}, again ${us(d.againMs * 1000)}: ${d.cause}${d.gcMs > 0 ? ` (${us(d.gcMs * 1000)} pause)` : ''}`,
      ),
  ];
}

// Turns phase results into the printed table, the ratios and the goals' PASS/FAIL lines.
import type { PhaseResult } from './phase-result.ts';

export const GOALS = {
  checks: 10_000,
  steadyP99Ms: 50,
  allP99Ms: 100,
  /** Achieved rate at least this share of the asked rate, for the lateness goal to count. */
  minRateShare: 0.99,
  maxFailedShare: 0.001,
  maxCpuVsExporter: 0.3,
  maxCpuVsBare: 1.4,
  maxPeakRssMiB: 300,
} as const;

export interface Ratio {
  protocol: 'http' | 'https';
  checks: number;
  against: 'exporter' | 'bare';
  /** mend's CPU-ms per probe divided by the other's, steady state (whole run if no window). */
  ratio: number;
  wholeRunRatio: number;
  basis: 'steady' | 'whole run';
}

export interface Goal {
  name: string;
  verdict: 'PASS' | 'FAIL' | 'SKIP';
  detail: string;
}

const MIB = 1024 * 1024;

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);

/** CPU-ms per probe in steady state if the phase had a window, else over the whole run. */
export function cpuPerProbe(phase: PhaseResult): { value: number; steady: boolean } {
  return phase.steady !== undefined && phase.steady.probes > 0
    ? { value: phase.steady.cpuMsPerProbe, steady: true }
    : { value: phase.cpuMsPerProbe, steady: false };
}

export function ratios(phases: PhaseResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const mend of phases.filter((phase) => phase.name === 'mend')) {
    for (const against of ['exporter', 'bare'] as const) {
      const other = phases.find(
        (phase) =>
          phase.name === against &&
          phase.protocol === mend.protocol &&
          phase.checks === mend.checks,
      );
      if (other === undefined) continue;
      const a = cpuPerProbe(mend);
      const b = cpuPerProbe(other);
      const steady = a.steady && b.steady;
      out.push({
        protocol: mend.protocol,
        checks: mend.checks,
        against,
        ratio: steady ? a.value / b.value : mend.cpuMsPerProbe / other.cpuMsPerProbe,
        wholeRunRatio: mend.cpuMsPerProbe / other.cpuMsPerProbe,
        basis: steady ? 'steady' : 'whole run',
      });
    }
  }
  return out;
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ');
}

export function table(phases: PhaseResult[]): string {
  const header = [
    'contender',
    'proto',
    'checks',
    'probes/s',
    'failed',
    'CPU-ms/probe',
    '(run)',
    'RSS MiB',
    'late p50/p99/max all',
    'late p50/p99/max steady',
    'target cores',
    'busy cores',
  ];
  const rows = phases.map((phase) => {
    const late = (p: { p50: number; p99: number; max: number }): string =>
      `${fixed(p.p50, 1)}/${fixed(p.p99, 1)}/${fixed(p.max, 1)}`;
    const cpu = cpuPerProbe(phase);
    return [
      phase.name,
      phase.protocol,
      String(phase.checks),
      `${fixed(phase.probesPerSecond, 0)}`,
      String(phase.failed),
      `${fixed(cpu.value, 4)}${cpu.steady ? '' : '*'}`,
      fixed(phase.cpuMsPerProbe, 4),
      fixed(phase.peakRssBytes / MIB, 1),
      late(phase.latenessMs.all),
      late(phase.latenessMs.steady),
      fixed(phase.target.cores, 2),
      fixed(phase.machineBusyCores, 2),
    ];
  });
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  return [pad(header, widths), ...rows.map((row) => pad(row, widths))].join('\n');
}

export function goals(phases: PhaseResult[], computed: Ratio[]): Goal[] {
  const out: Goal[] = [];
  const big = phases.find(
    (phase) => phase.name === 'mend' && phase.protocol === 'http' && phase.checks === GOALS.checks,
  );
  if (big === undefined) {
    const detail = `no mend run with ${GOALS.checks} HTTP checks`;
    out.push({ name: `${GOALS.checks} HTTP checks at 1 s, p99 steady`, verdict: 'SKIP', detail });
    out.push({ name: `${GOALS.checks} HTTP checks at 1 s, p99 all`, verdict: 'SKIP', detail });
  } else {
    const rate = big.steady?.probesPerSecond ?? big.probesPerSecond;
    const keptUp =
      rate >= GOALS.minRateShare * GOALS.checks &&
      big.failed <= GOALS.maxFailedShare * (big.probes + big.failed);
    const rateNote = `${fixed(rate, 0)} probes/s, ${big.failed} failed`;
    const verdict = (p99: number, limit: number): 'PASS' | 'FAIL' =>
      keptUp && p99 < limit ? 'PASS' : 'FAIL';
    out.push({
      name: `${GOALS.checks} HTTP checks at 1 s, p99 lateness steady < ${GOALS.steadyP99Ms} ms`,
      verdict: verdict(big.latenessMs.steady.p99, GOALS.steadyP99Ms),
      detail: `p99 ${fixed(big.latenessMs.steady.p99, 1)} ms; ${rateNote}`,
    });
    out.push({
      name: `${GOALS.checks} HTTP checks at 1 s, p99 lateness incl. start-up < ${GOALS.allP99Ms} ms`,
      verdict: verdict(big.latenessMs.all.p99, GOALS.allP99Ms),
      detail: `p99 ${fixed(big.latenessMs.all.p99, 1)} ms; ${rateNote}`,
    });
  }
  for (const [against, limit] of [
    ['exporter', GOALS.maxCpuVsExporter],
    ['bare', GOALS.maxCpuVsBare],
  ] as const) {
    const name = `mend CPU per HTTP probe <= ${limit}x ${against === 'bare' ? 'bare loop' : 'exporter'}`;
    const relevant = computed.filter((r) => r.against === against && r.protocol === 'http');
    if (relevant.length === 0) {
      out.push({ name, verdict: 'SKIP', detail: `no mend and ${against} runs at the same size` });
      continue;
    }
    const worst = relevant.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    out.push({
      name,
      verdict: relevant.every((r) => r.ratio <= limit) ? 'PASS' : 'FAIL',
      detail:
        relevant.map((r) => `${r.checks}: ${r.ratio.toFixed(2)}x`).join(', ') +
        ` (worst ${worst.checks}, ${worst.basis})`,
    });
  }
  // mend's figures count only in a run where the least a prober can do kept up on this machine.
  const bare = phases.find(
    (phase) => phase.name === 'bare' && phase.protocol === 'http' && phase.checks === GOALS.checks,
  );
  if (bare !== undefined) {
    const p99 = bare.latenessMs.steady.p99;
    const rate = bare.steady?.probesPerSecond ?? bare.probesPerSecond;
    const met =
      p99 < GOALS.steadyP99Ms &&
      rate >= GOALS.minRateShare * GOALS.checks &&
      bare.failed <= GOALS.maxFailedShare * (bare.probes + bare.failed);
    out.push({
      name: `the bare loop meets the ${GOALS.checks}-check goals in this run (else the machine, not mend, is judged)`,
      verdict: met ? 'PASS' : 'FAIL',
      detail: `p99 ${fixed(p99, 1)} ms steady; ${fixed(rate, 0)} probes/s, ${bare.failed} failed; ${fixed(bare.machineBusyCores, 2)} cores busy`,
    });
  }
  const mends = phases.filter((phase) => phase.name === 'mend');
  if (mends.length === 0) {
    out.push({
      name: `mend peak RSS < ${GOALS.maxPeakRssMiB} MiB`,
      verdict: 'SKIP',
      detail: 'no mend run',
    });
  } else {
    const peak = Math.max(...mends.map((phase) => phase.peakRssBytes)) / MIB;
    out.push({
      name: `mend peak RSS < ${GOALS.maxPeakRssMiB} MiB`,
      verdict: peak < GOALS.maxPeakRssMiB ? 'PASS' : 'FAIL',
      detail: `max ${peak.toFixed(1)} MiB over ${mends.length} run(s)`,
    });
  }
  return out;
}

export function ratioLines(computed: Ratio[]): string[] {
  return computed.map(
    (r) =>
      `mend / ${r.against === 'bare' ? 'bare loop' : 'exporter'}, ${r.protocol} ${r.checks}: ` +
      `${r.ratio.toFixed(2)}x CPU per probe (${r.basis}; whole run ${r.wholeRunRatio.toFixed(2)}x)`,
  );
}

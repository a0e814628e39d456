import type { GcPause } from './gc-pauses.ts';
import { type MachineLoad, machineLoad } from './machine-load.ts';
import type { Measurement } from './measure.ts';
import type { SlowDecision } from './slowest.ts';

export interface Spread {
  p10: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

export interface Latency {
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

export interface PauseTotals {
  count: number;
  totalMs: number;
  maxMs: number;
}

/**
 * Why a slow decision was slow: a GC pause overlapped it; it is slow again when taken again (its
 * own work); the thread waited for a core in its slice at least as long as the decision lost; or
 * none of these (time spent on this thread outside the input's work and outside GC pauses: a JIT
 * compile, which --single-threaded runs on this thread, or an incremental-marking step).
 */
export type SpikeCause =
  | 'major GC'
  | 'minor GC'
  | 'own work'
  | 'waited for a core'
  | 'JIT or marking';

export interface Spike extends SlowDecision {
  cause: SpikeCause;
  /** The longest GC pause that overlapped it, in ms (0: none). */
  gcMs: number;
}

export interface Summary {
  inputs: number;
  slices: number;
  decidePerSecond: number;
  baselinePerSecond: number;
  /** decide's throughput over the baseline's: how many inputs are decided in the time one is recorded. */
  ratio: number;
  /** The ratio's standard error over the slices (a ratio estimator's). */
  ratioError: number;
  sliceRatio: Spread;
  sliceDecidePerSecond: Spread;
  latency: Latency;
  /** Decisions no GC pause overlapped. */
  withoutGc: Latency & { inputs: number };
  gc: { minor: PauseTotals; major: PauseTotals };
  byKind: Record<string, { count: number; p99Us: number; maxUs: number; maxWithoutGcUs: number }>;
  /** The slowest decisions, slowest first, each with its cause. */
  slowest: Spike[];
  recordedPerInput: number;
  load: MachineLoad;
  /** This process's CPU time over the wall time of the measured slices. */
  cpuShare: number;
}

export function summarize(m: Measurement): Summary {
  const decideMs = sum(m.slices.map((slice) => slice.decideMs));
  const baselineMs = sum(m.slices.map((slice) => slice.baselineMs));
  const inputs = m.tookMs.length;
  const window = m.pauses.filter((p) => p.start >= m.load.start.at && p.end <= m.load.end.at);
  const hitBy = pausesHitting(m, window);
  const clean = indexesWhere(inputs, (i) => hitBy[i] === undefined);
  return {
    inputs,
    slices: m.slices.length,
    decidePerSecond: inputs / (decideMs / 1000),
    baselinePerSecond: inputs / (baselineMs / 1000),
    ratio: baselineMs / decideMs,
    ratioError: ratioError(m.slices, baselineMs / decideMs),
    sliceRatio: spread(m.slices.map((slice) => slice.baselineMs / slice.decideMs)),
    sliceDecidePerSecond: spread(m.slices.map((slice) => slice.inputs / (slice.decideMs / 1000))),
    latency: latency(m.tookMs),
    withoutGc: { inputs: clean.length, ...latency(clean.map((i) => m.tookMs[i]!)) },
    gc: {
      minor: totals(window.filter((p) => !p.major)),
      major: totals(window.filter((p) => p.major)),
    },
    byKind: byKind(m, hitBy),
    slowest: spikes(m, hitBy),
    recordedPerInput: m.recordedPerInput,
    load: machineLoad(m.load.start, m.load.end),
    cpuShare: m.cpuMs / (m.load.end.at - m.load.start.at),
  };
}

/** For each decision, the longest GC pause that overlapped it (a merge walk: both are in time order). */
function pausesHitting(m: Measurement, pauses: GcPause[]): Array<GcPause | undefined> {
  const hit: Array<GcPause | undefined> = new Array(m.tookMs.length);
  let p = 0;
  for (let i = 0; i < m.tookMs.length; i++) {
    const start = m.startedAt[i]!;
    const end = start + m.tookMs[i]!;
    while (p < pauses.length && pauses[p]!.end <= start) p++;
    for (let q = p; q < pauses.length && pauses[q]!.start < end; q++) {
      if (hit[i] === undefined || length(pauses[q]!) > length(hit[i]!)) hit[i] = pauses[q];
    }
  }
  return hit;
}

function byKind(m: Measurement, hitBy: Array<GcPause | undefined>): Summary['byKind'] {
  const indexes = new Map<string, number[]>();
  for (let i = 0; i < m.tookMs.length; i++) {
    const kind = m.kinds[i]!;
    const list = indexes.get(kind);
    if (list === undefined) indexes.set(kind, [i]);
    else list.push(i);
  }
  const result: Summary['byKind'] = {};
  for (const [kind, list] of indexes) {
    const all = latency(list.map((i) => m.tookMs[i]!));
    const clean = latency(list.filter((i) => hitBy[i] === undefined).map((i) => m.tookMs[i]!));
    result[kind] = {
      count: list.length,
      p99Us: all.p99Us,
      maxUs: all.maxUs,
      maxWithoutGcUs: clean.maxUs,
    };
  }
  return result;
}

function spikes(m: Measurement, hitBy: Array<GcPause | undefined>): Spike[] {
  const sliceOf = sliceIndex(m);
  return m.slowest.map((d) => {
    const pause = hitBy[d.index];
    const lost = d.tookMs - d.againMs;
    const gcMs = pause === undefined ? 0 : length(pause);
    let cause: SpikeCause;
    if (pause !== undefined) cause = pause.major ? 'major GC' : 'minor GC';
    else if (d.againMs >= d.tookMs / 2) cause = 'own work';
    else if (m.slices[sliceOf(d.index)]!.waitedMs >= lost) cause = 'waited for a core';
    else cause = 'JIT or marking';
    return { ...d, cause, gcMs };
  });
}

/** The slice a measured input was decided in. */
function sliceIndex(m: Measurement): (index: number) => number {
  const ends: number[] = [];
  let end = 0;
  for (const slice of m.slices) {
    end += slice.inputs;
    ends.push(end);
  }
  return (index) => ends.findIndex((sliceEnd) => index < sliceEnd);
}

function latency(ms: ArrayLike<number>): Latency {
  const sorted = Float64Array.from(ms).sort();
  const at = (q: number) =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    p50Us: at(0.5) * 1000,
    p90Us: at(0.9) * 1000,
    p99Us: at(0.99) * 1000,
    p999Us: at(0.999) * 1000,
    maxUs: (sorted.at(-1) ?? 0) * 1000,
  };
}

/** Standard error of sum(baseline) / sum(decide) from the slices' scatter around it. */
function ratioError(slices: Measurement['slices'], ratio: number): number {
  const n = slices.length;
  if (n < 2) return 0;
  const meanDecide = sum(slices.map((slice) => slice.decideMs)) / n;
  const scatter = sum(slices.map((slice) => (slice.baselineMs - ratio * slice.decideMs) ** 2));
  return Math.sqrt(scatter / (n * (n - 1))) / meanDecide;
}

function spread(values: number[]): Spread {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p10: at(0.1), median: at(0.5), p90: at(0.9), min: sorted[0]!, max: sorted.at(-1)! };
}

function totals(pauses: GcPause[]): PauseTotals {
  const lengths = pauses.map(length);
  return { count: pauses.length, totalMs: sum(lengths), maxMs: Math.max(0, ...lengths) };
}

function length(pause: GcPause): number {
  return pause.end - pause.start;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function indexesWhere(count: number, keep: (i: number) => boolean): number[] {
  const kept: number[] = [];
  for (let i = 0; i < count; i++) if (keep(i)) kept.push(i);
  return kept;
}

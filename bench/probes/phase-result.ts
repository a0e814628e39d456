// The figures of one phase (one contender, one size), put together the same way for all three
// contenders from what they reported and what was measured from outside.
import { z } from 'zod';
import type { LatenessSummary } from './lateness.ts';
import type { Limit } from './limit.ts';
import { loadOf, type Measured, round, type Steady, steadyWindow } from './measure.ts';
import type { TargetStats } from './target.ts';

const percentiles = z.object({
  p50: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
});

/** Lateness as reported in JSON, where an empty set's NaN became null. */
export const reportedLateness = z.object({
  all: percentiles,
  steady: percentiles,
  perSecondP99: z.array(z.number().nullable()).optional(),
});

export interface PhaseResult {
  name: 'mend' | 'exporter' | 'bare';
  protocol: 'http' | 'https';
  checks: number;
  durationSeconds: number;
  /** Successful probes, as counted by the contender. */
  probes: number;
  failed: number;
  probesPerSecond: number;
  /** CPU of the measured process from /proc over the whole run. */
  cpuMs: number;
  cpuMsPerProbe: number;
  steady: Steady | undefined;
  peakRssBytes: number;
  latenessMs: LatenessSummary;
  startupSeconds: number | null;
  /** What the contender said about itself, kept for cross-checks. */
  reported: Record<string, unknown>;
  target: TargetStats & { cpuMs: number; cores: number };
  /** Cores busy on the whole machine during the phase (us and everybody else). */
  machineBusyCores: number;
  /** SYNs the kernel dropped at listeners during the phase (the target's full accept queue). */
  listenDrops: number;
  warnings: string[];
  /** Whose limit the phase hit, worked out by the orchestrator (limit.ts). */
  limit?: Limit;
}

export interface PhaseInput {
  name: PhaseResult['name'];
  https: boolean;
  checks: number;
  durationSeconds: number;
  warmupSeconds: number;
  probes: number;
  failed: number;
  cpuMs: number;
  peakRssBytes: number;
  latenessMs: z.infer<typeof reportedLateness>;
  startupSeconds: number | null;
  reported: Record<string, unknown>;
  measured: Measured;
  warnings: string[];
}

export function phaseResult(input: PhaseInput): PhaseResult {
  const { measured, probes } = input;
  const served = measured.end.responses;
  const warnings = [...input.warnings];
  if (Math.abs(served - probes) > Math.max(5, 0.01 * probes)) {
    warnings.push(`${input.name} counted ${probes} good probes; the target served ${served}`);
  }
  const load = loadOf(measured.samples);
  const targetCpuMs =
    (measured.samples.at(-1)?.targetCpuMs ?? 0) - (measured.samples[0]?.targetCpuMs ?? 0);
  const nan = (p: z.infer<typeof percentiles>) => ({
    p50: p.p50 ?? Number.NaN,
    p99: p.p99 ?? Number.NaN,
    max: p.max ?? Number.NaN,
  });
  return {
    name: input.name,
    protocol: input.https ? 'https' : 'http',
    checks: input.checks,
    durationSeconds: input.durationSeconds,
    probes,
    failed: input.failed,
    probesPerSecond: round(probes / input.durationSeconds),
    cpuMs: round(input.cpuMs),
    cpuMsPerProbe: probes > 0 ? round(input.cpuMs / probes, 4) : Number.NaN,
    steady: steadyWindow(measured.samples, input.warmupSeconds, input.durationSeconds),
    peakRssBytes: Math.max(measured.peakRssBytes, input.peakRssBytes),
    latenessMs: {
      all: nan(input.latenessMs.all),
      steady: nan(input.latenessMs.steady),
      perSecondP99: input.latenessMs.perSecondP99?.map((p99) => p99 ?? Number.NaN),
    },
    startupSeconds: input.startupSeconds,
    reported: input.reported,
    target: { ...measured.end, cpuMs: round(targetCpuMs), cores: load.targetCores },
    machineBusyCores: load.machineBusyCores,
    listenDrops: load.listenDrops,
    warnings,
  };
}

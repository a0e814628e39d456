// Whose limit a phase hit when it did not keep up: the target's, the prober's, or the machine's
// (every core busy, so prober, target and other work compete). It reads what was measured from
// outside the prober (the target's own event-loop delay, the kernel's drops at the target's
// accept queue, the cores in use) next to what the prober reported (how late it started probes,
// why probes failed), so a bad figure says where to look.
import type { PhaseResult } from './phase-result.ts';
import { GOALS } from './report.ts';

export interface Limit {
  keptUp: boolean;
  /** 'nobody' when the phase kept up. */
  by: 'nobody' | 'target' | 'prober' | 'target and prober' | 'machine';
  evidence: string[];
}

/** A loop delay or lateness at or past this is a process out of CPU, not timer slack. */
const LATE_MS = GOALS.steadyP99Ms;

export function limitOf(
  phase: PhaseResult,
  machine: { cpus: number; targetWorkers: number },
): Limit {
  const rate = phase.steady?.probesPerSecond ?? phase.probesPerSecond;
  const p99 = phase.latenessMs.steady.p99;
  const failedShare = phase.failed / Math.max(1, phase.probes + phase.failed);
  const keptUp =
    rate >= GOALS.minRateShare * phase.checks &&
    failedShare <= GOALS.maxFailedShare &&
    !(p99 >= LATE_MS);
  const target: string[] = [];
  if (phase.listenDrops > 0) {
    target.push(`the kernel dropped ${phase.listenDrops} connection attempts at the target`);
  }
  if (phase.target.loopDelayP99Ms >= LATE_MS) {
    target.push(`target event-loop delay p99 ${phase.target.loopDelayP99Ms} ms`);
  }
  if (phase.target.cores >= 0.9 * machine.targetWorkers) {
    target.push(`target used ${phase.target.cores} cores with ${machine.targetWorkers} processes`);
  }
  const prober: string[] = [];
  if (p99 >= LATE_MS) prober.push(`probes started ${p99} ms late at p99 (steady)`);
  const saturated = phase.machineBusyCores >= 0.95 * machine.cpus;
  const cores = `${phase.machineBusyCores} of ${machine.cpus} cores busy (everyone)`;
  const reasons = Object.entries(
    (phase.reported.failuresByReason as Record<string, number> | undefined) ?? {},
  );
  const failures =
    phase.failed > 0 && reasons.length > 0
      ? [`failed: ${reasons.map(([reason, count]) => `${count} ${reason}`).join(', ')}`]
      : [];
  if (keptUp) return { keptUp, by: 'nobody', evidence: [cores] };
  let by: Limit['by'];
  if (target.length > 0 && prober.length > 0) by = saturated ? 'machine' : 'target and prober';
  else if (target.length > 0) by = 'target';
  else if (prober.length > 0 || !saturated) by = 'prober';
  else by = 'machine';
  const calm =
    target.length === 0
      ? [`target fine (loop delay p99 ${phase.target.loopDelayP99Ms} ms, no drops)`]
      : [];
  return { keptUp, by, evidence: [...target, ...calm, ...prober, ...failures, cores] };
}

export function limitLine(limit: Limit): string {
  return limit.keptUp
    ? `kept up (${limit.evidence.join('; ')})`
    : `limit: ${limit.by} (${limit.evidence.join('; ')})`;
}

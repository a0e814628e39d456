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
  /** 'machine': every core busy, prober and target competing with each other or with others. */
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
  // What the prober and the target used of the busy cores; the rest is everybody else's.
  const steady = phase.steady;
  const proberCores =
    steady !== undefined && steady.toSeconds > steady.fromSeconds
      ? steady.cpuMs / ((steady.toSeconds - steady.fromSeconds) * 1000)
      : phase.cpuMs / (phase.durationSeconds * 1000);
  const othersCores = Math.max(0, phase.machineBusyCores - proberCores - phase.target.cores);
  const cores =
    `${phase.machineBusyCores} of ${machine.cpus} cores busy: prober ${proberCores.toFixed(2)}, ` +
    `target ${phase.target.cores}, others ${othersCores.toFixed(2)}`;
  // The cores the asked rate needs at the CPU per probe each side paid in this phase.
  const targetMsPerAnswer = phase.target.cpuMs / Math.max(1, phase.target.responses);
  const proberMsPerProbe =
    steady !== undefined && steady.probes > 0 ? steady.cpuMsPerProbe : phase.cpuMsPerProbe;
  const targetNeeds = (phase.checks * targetMsPerAnswer) / 1000;
  const bothNeed = targetNeeds + (phase.checks * (proberMsPerProbe || 0)) / 1000;
  const targetRoom = Math.min(machine.targetWorkers, machine.cpus);
  const needs =
    `at ${phase.checks}/s the target needs ${targetNeeds.toFixed(2)} cores ` +
    `(${targetMsPerAnswer.toFixed(3)} CPU-ms an answer, ${machine.targetWorkers} processes), ` +
    `prober and target ${bothNeed.toFixed(2)} of ${machine.cpus}`;
  const reasons = Object.entries(
    (phase.reported.failuresByReason as Record<string, number> | undefined) ?? {},
  );
  const failures =
    phase.failed > 0 && reasons.length > 0
      ? [`failed: ${reasons.map(([reason, count]) => `${count} ${reason}`).join(', ')}`]
      : [];
  if (keptUp) return { keptUp, by: 'nobody', evidence: [cores] };

  const target: string[] = [];
  if (phase.listenDrops > 0) {
    target.push(`the kernel dropped ${phase.listenDrops} connection attempts at the target`);
  }
  if (phase.target.loopDelayP99Ms >= LATE_MS) {
    target.push(`target event-loop delay p99 ${phase.target.loopDelayP99Ms} ms`);
  }
  const late = p99 >= LATE_MS ? [`probes started ${p99} ms late at p99 (steady)`] : [];
  const saturated = phase.machineBusyCores >= 0.95 * machine.cpus;
  let by: Limit['by'];
  // The target alone cannot serve the asked rate on the cores it has: nothing a prober does helps.
  if (targetNeeds >= 0.9 * targetRoom) by = 'target';
  else if (target.length > 0 && late.length === 0) by = 'target';
  // Not enough cores for both, or a good part of them taken by others' work.
  else if (bothNeed > machine.cpus || (saturated && othersCores >= 0.25)) by = 'machine';
  else if (target.length > 0) by = 'target and prober';
  else by = 'prober';
  const calm =
    target.length === 0
      ? [`target answered in time (loop delay p99 ${phase.target.loopDelayP99Ms} ms, no drops)`]
      : [];
  return { keptUp, by, evidence: [...target, ...calm, ...late, ...failures, needs, cores] };
}

export function limitLine(limit: Limit): string {
  return limit.keptUp
    ? `kept up (${limit.evidence.join('; ')})`
    : `limit: ${limit.by} (${limit.evidence.join('; ')})`;
}

import type { CheckDefinition } from './check-identity.ts';
import type { ProbeOutcome, SchedulerStats } from './scheduler.ts';

/**
 * Runs probes for a set of checks and reports outcomes in batches. Two implementations: in the
 * main thread (tests, small configs) and sharded over worker threads (both cores).
 */
export interface ProbeRunner {
  set(checks: readonly CheckDefinition[]): void;
  start(): void;
  /** Stops scheduling, waits for probes in flight up to the deadline, then aborts them. */
  stop(deadlineMs: number): Promise<void>;
  stats(): Promise<SchedulerStats>;
}

export interface ProbeRunnerOptions {
  maxInFlight: number;
  maxOutputBytes: number;
  onOutcomes: (outcomes: ProbeOutcome[]) => void;
  /** Probing stopped for good (a probe worker died): the owner must say so and stop. */
  onFatal: (error: Error) => void;
}

export function sumStats(all: SchedulerStats[]): SchedulerStats {
  const total: SchedulerStats = {
    checks: 0,
    inFlight: 0,
    waiting: 0,
    probes: 0,
    overlapsSkipped: 0,
    slotsMissed: 0,
    inFlightLimit: 0,
  };
  for (const stats of all) {
    for (const key of Object.keys(total) as (keyof SchedulerStats)[]) total[key] += stats[key];
  }
  return total;
}

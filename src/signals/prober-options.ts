import { availableParallelism } from 'node:os';
import type { ServiceConfig } from '../config/config.ts';

export interface ProberOptions {
  /** Probe worker threads; 0 probes in the main thread; unset: workersFor() the config. */
  workers?: number | undefined;
  maxInFlight: number;
  maxOutputBytes: number;
}

/**
 * Probes a second one worker thread is given. On the 2-core benchmark machine one worker keeps
 * 5,000 HTTP probes/s on time (p99 lateness 2 ms) and saturates at about 6,000: at 10,000 checks
 * at 1 s one worker fell seconds behind where two kept p99 lateness in single-digit ms for the
 * same CPU per probe. What the second worker costs is memory: at 10,000 checks resident memory
 * was about 365 MiB against 250 MiB with one (steady state; peak 325 MiB in the quiet benchmark
 * run, over the 300 MiB goal). Below that rate a second worker only costs: at 5,000 checks two
 * took 25-30 % more CPU per probe than one (two event loops each waking for half the work).
 * bench/README.md, "Results, 2026-12-03".
 */
export const PROBES_PER_WORKER = 5000;

/**
 * One probe worker per PROBES_PER_WORKER probes a second the checks ask, at least one and at
 * most one per core: the main thread, which judges outcomes, records signals and serves the API,
 * is mostly idle beside them (72 % idle at 10,000 probes/s), so on two cores two workers and the
 * main thread share both. Fixed at start: a reload that asks far more probes needs a restart (or
 * `--workers`) to get more threads.
 */
export function workersFor(
  services: readonly ServiceConfig[],
  cores: number = availableParallelism(),
): number {
  let probesPerSecond = 0;
  for (const service of services) {
    for (const check of service.checks) probesPerSecond += 1 / check.periodSeconds;
  }
  return Math.max(1, Math.min(cores, Math.ceil(probesPerSecond / PROBES_PER_WORKER)));
}

export const PROBER_DEFAULTS: ProberOptions = {
  workers: undefined,
  maxInFlight: 2000,
  maxOutputBytes: 64 * 1024,
};

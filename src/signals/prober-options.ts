import { availableParallelism } from 'node:os';

export interface ProberOptions {
  /** Probe worker threads; 0 probes in the main thread. */
  workers: number;
  maxInFlight: number;
  maxOutputBytes: number;
}

/**
 * One probe thread per core beside the main thread, which judges outcomes, records signals and
 * serves the API: on two cores, one probe worker plus the main thread use both. A worker costs
 * about 25 MiB before it probes anything, so more threads than cores only costs memory.
 */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

export const PROBER_DEFAULTS: ProberOptions = {
  workers: defaultWorkers(),
  maxInFlight: 2000,
  maxOutputBytes: 64 * 1024,
};

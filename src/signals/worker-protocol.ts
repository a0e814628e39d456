import type { CheckDefinition } from './check-identity.ts';
import type { OutcomeBatch } from './outcome-codec.ts';
import type { SchedulerStats } from './scheduler.ts';

/** Messages between the detector (main thread) and a probe worker. */
export type ToWorker =
  | { type: 'set'; checks: CheckDefinition[] }
  | { type: 'start' }
  | { type: 'stats'; requestId: number }
  | { type: 'stop'; deadlineMs: number };

export type FromWorker =
  | { type: 'outcomes'; batch: OutcomeBatch }
  | { type: 'stats'; requestId: number; stats: SchedulerStats }
  | { type: 'stopped' };

export interface WorkerSettings {
  maxInFlight: number;
  maxOutputBytes: number;
  /** How long outcomes may wait to be batched before they are posted. */
  flushMs: number;
}

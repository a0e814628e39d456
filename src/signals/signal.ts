import { createHash } from 'node:crypto';
import type { Observation } from './observation.ts';

export type SignalStatus = 'firing' | 'resolved';

/**
 * A change of state worth deciding on: a check turning failing or healthy, later an alert or an
 * event. The fingerprint is the stable identity across firing and resolved, as in Alertmanager.
 */
export interface Signal {
  fingerprint: string;
  /** What produced it: 'probe' now; 'alertmanager', 'event', 'log', ... later. */
  source: string;
  service: string;
  /** The check that changed state, for probe signals. */
  check?: string;
  labels: Record<string, string>;
  status: SignalStatus;
  /** When the failure started (the first failed observation of the run that fired it). */
  startsAt: number;
  /** When this transition happened. */
  at: number;
  /** One line: why the state changed ("3 consecutive failures: connect ECONNREFUSED"). */
  summary: string;
  /** The last observations, oldest first: the evidence the decision and the incident keep. */
  evidence: Observation[];
}

/**
 * Alertmanager-style fingerprint: a hash of the sorted label set. Labels must already include the
 * identity (source, service, check) so that two checks never share one.
 */
export function fingerprint(labels: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(labels).sort()) {
    hash.update(key);
    hash.update('\u0000');
    hash.update(labels[key] ?? '');
    hash.update('\u0000');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The consumer that decides on signals: the decision loop (src/decisions). */
export interface SignalConsumer {
  consume(signal: Signal): Promise<void>;
}

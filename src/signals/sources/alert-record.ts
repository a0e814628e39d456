import type { SignalStatus } from '../signal.ts';

/** An alert received (Alertmanager's webhook): its latest state, one per fingerprint. */
export interface AlertRecord {
  fingerprint: string;
  /** `alertmanager`: the signal source it came from. */
  source: string;
  status: SignalStatus;
  /** The Service whose selector selects it; absent when none does. */
  service?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
  receiver: string;
  startsAt: number;
  /** When it resolved (or, while firing, when Alertmanager would time it out); absent: unknown. */
  endsAt?: number;
  receivedAt: number;
}

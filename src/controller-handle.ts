import type { Config } from './config/config.ts';
import type { AlertIntakeResult } from './decisions/alert-intake.ts';
import type { EngineState } from './policy/index.ts';
import type { ReplicaStatus } from './replicas/status.ts';
import type { CheckState } from './signals/check-state.ts';
import type { SchedulerStats } from './signals/scheduler.ts';
import type { AlertmanagerPayload } from './signals/sources/alertmanager-payload.ts';
import type { CloudEvent } from './signals/sources/cloudevents.ts';
import type {
  AuditActor,
  NewOperatorRequest,
  Store,
  StoredOperatorRequest,
} from './store/store.ts';
import type { Logger } from './support/log.ts';
import type { Metrics } from './support/metrics.ts';

/**
 * What a server (src/api) sees of a running controller: the composition root (controller.ts)
 * builds it, the server reads and acts through it. A file of its own, below both, so the arrow
 * from the root to the server's types and from the server to the root's never closes a circle.
 */
/** One check as the prober holds it now. */
export interface CheckNow {
  /** `service/check`. */
  key: string;
  service: string;
  role: string;
  state: CheckState;
}

/** What the API's routes read and do: the running controller, seen through what they need. */
export interface ApiContext {
  store: Store;
  log: Logger;
  now(): number;
  config(): Config;
  /** The decision state now (every decision is recorded before the state moves on). */
  state(): EngineState;
  checks(): readonly CheckNow[];
  /**
   * Record an operator request (audited with it), have the decision loop take it now, and return
   * it as it stands then: applied, rejected with the reason, or still pending.
   */
  request(request: NewOperatorRequest, by: RequestOrigin): Promise<StoredOperatorRequest>;
  /**
   * Record an Alertmanager delivery and the signals it makes; resolves once all of it is durable.
   * Rejects with AlertIntakeOverloaded when too much waits (the API answers 503, Retry-After).
   */
  ingestAlerts(payload: AlertmanagerPayload): Promise<AlertIntakeResult>;
  /** The same for CloudEvents (POST /api/v1/events), each kept as the condition it is about. */
  ingestEvents(events: readonly CloudEvent[]): Promise<AlertIntakeResult>;
  /** The replicas on the store, the leader and its epoch (GET /api/v1/status, `mend status`). */
  status(): Promise<ReplicaStatus>;
}

/** Where an API request came from, for the audit row its operator request writes. */
export type RequestOrigin = Omit<AuditActor, 'actor'>;

/** What a server (src/api) sees of a running controller. */
export interface ControllerHandle {
  readonly metrics: Metrics;
  readonly log: Logger;
  /** What the operator API reads and does (absent: serve only /healthz, /readyz, /metrics). */
  readonly api?: ApiContext;
  /** A cheap proof that the store answers; rejects with the reason when it does not. */
  pingStore(): Promise<void>;
  schedulerStats(): Promise<SchedulerStats>;
  /** Signals detected and not yet recorded. */
  pendingSignals(): number;
  /**
   * The Kubernetes permissions the config needs: `fail` naming each one refused, `warn` while
   * one is not known; undefined when the config needs none.
   */
  kubernetesAccess?(): { status: 'pass' | 'warn' | 'fail'; output?: string } | undefined;
}

/** Something started on the controller's behalf (a server), stopped with it. */
export interface Served {
  /** Where it listens (with the scheme), for the start-up summary. */
  address: string;
  close(): Promise<void>;
  /** Take what the new config changes (a renewed certificate); errors are its own to log. */
  reload?(config: Config): Promise<void>;
}

import type { EventSelectorSpec } from './kinds/event-selector.ts';
import type { KubernetesTarget } from './kinds/kubernetes-target.ts';
import type { LabelMatcher } from './kinds/matcher.ts';
import type { ParamSpec } from './kinds/runbook-params.ts';
import type { ListenAddress } from './listen-address.ts';

/** Where a document came from, for error messages and `mend validate` output. */
export interface DocumentSource {
  file: string;
  line: number;
  col: number;
}

export interface ServiceConfig {
  name: string;
  labels: Record<string, string>;
  /** Selects the alerts about this service (empty: none). */
  selector: LabelMatcher[];
  /** Selects the CloudEvents about this service (empty: none). */
  events: EventSelectorSpec[];
  /** The Prometheus its alerts come from: their expression's value and curve join the evidence. */
  prometheus?: string;
  dependsOn: string[];
  checks: CheckSpec[];
  /** The Kubernetes workload the service is, when it is one (Kubernetes steps default to it). */
  kubernetes?: KubernetesTarget;
  source: DocumentSource;
}

export type { LabelMatcher } from './kinds/matcher.ts';

/** A check as validated: the fields below plus exactly one probe kind's key (`http:`, ...). */
export interface CheckSpec {
  name: string;
  role: 'liveness' | 'readiness' | 'startup';
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  successThreshold: number;
  initialDelaySeconds: number;
  labels: Record<string, string>;
  /** The probe, under its kind's name: `http: {...}`. */
  [probe: string]: unknown;
}

export type CheckRole = 'liveness' | 'readiness' | 'startup';

/** Runbook parameters: strings may hold {{...}} references, rendered by the engine. */
export type HealParams = Record<string, string | number | boolean>;

/** One heal of a policy; a plain `heal` is a ladder of one rung without a deadline. */
export interface HealRung {
  runbook: string;
  params: HealParams;
  /** Go to the next rung (or page, after the last) when still failing this long after it began. */
  deadlineMs: number | null;
}

export type PolicyAction =
  | { kind: 'heal'; rungs: HealRung[] }
  | { kind: 'page'; notifiers: string[] }
  | { kind: 'observe' };

/** A Policy document, durations in milliseconds. Field meanings: src/config/kinds/policy.ts. */
export interface PolicyConfig {
  name: string;
  labels: Record<string, string>;
  priority: number;
  match: {
    sources: string[];
    matchers: LabelMatcher[];
    services: { names: string[]; matchers: LabelMatcher[] } | null;
    roles: CheckRole[];
  };
  when: string | null;
  forMs: number;
  count: { atLeast: number; withinMs: number } | null;
  action: PolicyAction;
  escalate: { notifiers: string[] };
  maxAttempts: number;
  windowMs: number;
  cooldownMs: number;
  backoff: { maxMs: number } | null;
  maxConcurrent: number | null;
  onConcurrencyLimit: 'queue' | 'page';
  maxUnhealthy: { count: number } | { percent: number } | null;
  requireApproval: { expiresAfterMs: number } | null;
  dryRun: boolean;
  shadow: boolean;
  source: DocumentSource;
}

export interface SilenceConfig {
  name: string;
  matchers: LabelMatcher[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  source: DocumentSource;
}

export interface MaintenanceWindowConfig {
  name: string;
  matchers: LabelMatcher[];
  schedule: string;
  durationMs: number;
  timeZone: string;
  source: DocumentSource;
}

/** When a service counts as chronic: this many verified heals within this window. */
export interface ChronicSettings {
  heals: number;
  withinMs: number;
}

export interface SettingsConfig {
  dryRun: boolean;
  maxConcurrent: number | null;
  groupBy: string[];
  /** When repeated heals make a service chronic; the engine's defaults when absent. */
  chronic?: ChronicSettings;
  /** What the shell does when the store cannot record; the defaults when absent. */
  storeOutage?: StoreOutageSettings;
  /** How the HTTP endpoints and the operator API are served; the defaults when absent. */
  api?: ApiSettings;
  /** How much alert ingestion holds before it refuses (503); the defaults when absent. */
  alerts?: AlertIntakeSettings;
  /** Several `mend run` on one PostgreSQL store (docs/replicas.md); absent: one runner. */
  replicas?: ReplicaSettings;
}

export interface ReplicaSettings {
  enabled: boolean;
  /** A replica whose heartbeat is older than this is gone; the leader's lease lasts this long. */
  leaseMs: number;
  /** Elect the leader by this Kubernetes Lease instead of the store's lease row. */
  kubernetesLease?: { namespace: string; name: string; context?: string };
}

export interface AlertIntakeSettings {
  /** Alerts accepted and not yet durably recorded, past which a delivery is refused. */
  maxInFlight: number;
}

export interface ApiSettings {
  listen?: ListenAddress;
  tls?: ApiTlsSettings;
  /** How failing authentications from one address are slowed down; the defaults when absent. */
  authFailures?: AuthFailureSettings;
  /** Serve the operator API on a non-loopback address without TLS. */
  insecure: boolean;
}

export interface AuthFailureSettings {
  maxFailures: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ApiTlsSettings {
  certFile: string;
  keyFile: string;
  /** Require client certificates signed by this CA bundle (mutual TLS). */
  clientCaFile?: string;
}

export interface StoreOutageSettings {
  /** How long to wait for the store to take writes again before exiting non-zero. */
  exitAfterMs: number;
}

export type RunbookParamConfig = ParamSpec;

/** One step, its kind resolved and its defaults applied. */
export interface RunbookStepConfig {
  name: string;
  /** The step kind: `exec`, `http`, `wait`, `verify`, `notify`, `observations`, `logTail`. */
  kind: string;
  /** The kind's spec as validated; templates are rendered at run time. */
  spec: unknown;
  /** A passing step of this kind proves the heal worked (verify). */
  verifies: boolean;
  timeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  idempotent: boolean;
}

/** A Runbook document, durations in milliseconds. Field meanings: the schema above. */
export interface RunbookConfig {
  name: string;
  labels: Record<string, string>;
  description: string | undefined;
  params: Record<string, RunbookParamConfig>;
  maxOutputBytes: number;
  evidence: RunbookStepConfig[];
  steps: RunbookStepConfig[];
  onFailure: RunbookStepConfig[];
  /** Changes when anything that affects running changes: a run resumes only under the runbook it began with. */
  revision: string;
  source: DocumentSource;
}

/** A Notifier document, durations in milliseconds; `spec` is the kind's own (src/notify/kinds/). */
export interface NotifierConfig {
  name: string;
  labels: Record<string, string>;
  /** The notifier kind: `webhook`, `slack`, `pagerduty`, `email`. */
  kind: string;
  spec: unknown;
  timeoutMs: number;
  attempts: number;
  backoff: { initialMs: number; maxMs: number };
  approvals: boolean;
  /** With {{incident.id}} still in it; null when unset. */
  link: string | null;
  source: DocumentSource;
}

/** A loaded, validated and cross-checked configuration: one section per document kind. */
export interface Config {
  services: ServiceConfig[];
  policies: PolicyConfig[];
  silences: SilenceConfig[];
  maintenanceWindows: MaintenanceWindowConfig[];
  /** Where pages, resolves and approval requests go (src/notify/). */
  notifiers: NotifierConfig[];
  runbooks: RunbookConfig[];
  /** From the Settings document, or the defaults when there is none. */
  settings: SettingsConfig;
  /** The files it was loaded from, in the order read. */
  files: string[];
}

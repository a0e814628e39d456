import type { LabelMatcher } from '../config/config.ts';
import { emptyTable, type Table } from './table.ts';
import { emptyTimers, type TimerQueue } from './timers.ts';

/** Why an incident is flagged chronic: this many verified heals within this window. */
export interface Chronic {
  heals: number;
  withinMs: number;
}

/**
 * Everything the engine remembers, as plain JSON (records and arrays, no Maps or classes), so the
 * shell can snapshot it, compare it and rebuild it; `JSON.parse(JSON.stringify(state))` decides
 * exactly like the original. Never mutated: each decision returns a new state sharing what did
 * not change. Per-service data lives in one table entry, so one input touches one entry.
 */
export interface EngineState {
  version: 1;
  /** Counters behind deterministic ids: `inc-${n}`, `blast:${policy}:${n}`. */
  nextIncident: number;
  nextGroupPage: number;
  services: Table<ServiceState>;
  /** Heals in flight, by heal id (a table: there may be hundreds). */
  inFlight: Table<InFlight>;
  inFlightCount: number;
  inFlightByPolicy: Record<string, number>;
  /** Approval requests waiting for a human, by approval id. */
  approvals: Record<string, PendingApproval>;
  /**
   * Silences operators added at run time (the config's are in the compiled policies), by id;
   * ended ones are dropped when the next is added. Absent in older snapshots.
   */
  silences?: Record<string, RuntimeSilence>;
  /** Incidents waiting for a concurrency slot, first come first served. */
  queue: QueueEntry[];
  /** Blast-radius bookkeeping per policy that sets maxUnhealthy. */
  blast: Record<string, BlastState>;
  timers: TimerQueue;
}

/**
 * One service's memory. `signals`, `counts` and `held` are replaced whole when they change (never
 * changed in place), so a decision copies them only when it changes them. Signals and incidents
 * are short lists rather than records keyed by id: records keyed by arbitrary names are slow in
 * V8, and a service rarely has more than one or two of each.
 */
export interface ServiceState {
  /** Firing signals of the service: unhealthy while > 0. */
  firing: number;
  signals: SignalRecord[];
  /** Open incidents of the service, one per group key. */
  incidents: IncidentState[];
  /** The heal in flight on this service: one at a time, always. */
  busy: string | null;
  lastAttemptEndAt: number | null;
  /** Failed attempts in a row on this service, for backoff; a verified success resets it. */
  failures: number;
  breakers: Record<string, BreakerState>;
  /** Times of matching firing signals per policy, for `count`. */
  counts: Record<string, number[]>;
  /** Services with incidents held because this one is unhealthy: judged afresh when it recovers. */
  held: string[];
  /**
   * Times of verified heals within the chronic window, oldest first (replaced whole). Absent
   * until the first verified heal (most services never need one), and in older snapshots.
   */
  heals?: number[];
}

/** A firing signal as the engine keeps it (no evidence: the shell stores that). */
export interface SignalRecord {
  fingerprint: string;
  source: string;
  check: string | null;
  role: string | null;
  labels: Record<string, string>;
  startsAt: number;
  at: number;
  summary: string;
  error: string;
  incidentId: string;
  /** Policies that matched it, highest precedence first. */
  policies: string[];
  /** Services the evidence names as failing dependencies (health documents). */
  namedDeps: string[];
  /**
   * Services the evidence names with an unknown or degraded status (`warn`, `UNKNOWN`). Absent
   * when there are none, and in older snapshots.
   */
  unknownDeps?: string[];
}

/** Every phase an open incident can be in, for the API's schema. */
export const PHASES = [
  'pending',
  'counting',
  'held',
  'waiting',
  'queued',
  'awaiting-approval',
  'healing',
  'observing',
  'paged',
  'escalated',
  'denied',
] as const;

export type Phase = (typeof PHASES)[number];

export interface IncidentState {
  id: string;
  service: string;
  groupKey: string;
  group: Record<string, string>;
  openedAt: number;
  /** Fingerprints of its firing signals; it closes when this is empty. */
  firing: string[];
  /** The one policy that decides it, and the signal that brought it. */
  policy: string | null;
  lead: string | null;
  /** When the deciding policy was chosen: the start of `for`. */
  since: number;
  /** `count` was reached once: it gates only the first action. */
  counted: boolean;
  phase: Phase;
  /** What holds it (a guardrail code), to know which change should judge it again. */
  blockedBy: string | null;
  /** The timer it expects; a timer for another time is stale. */
  wakeAt: number | null;
  attempts: number;
  rung: number;
  rungStartedAt: number | null;
  healing: string | null;
  approval: string | null;
  approvedAttempt: number | null;
  /** Pages sent for it and not yet resolved. */
  pages: string[];
  /**
   * Pages its runbooks' notify steps sent: resolved with it, but not its escalation (a notice
   * does not count as "already paged"). Absent in older snapshots and before the first one.
   */
  notices?: string[];
  /** The incident of the unhealthy dependency it waits for, and that dependency. */
  linkedTo: string | null;
  linkedVia: string | null;
  /**
   * While held by a dependency: what the hold said is done about the root (`inc-4:heals`), so a
   * change there (its breaker opens, a human is paged) judges this one again and its reason stays
   * true. Absent in older snapshots.
   */
  rootStatus?: string | null;
  /** The preview a dry-run or shadow decision asked for (`inc-1:preview:1`): asked once. */
  previewed?: string | null;
  /** The dependency it was held for, once that recovered: its resolution says so. */
  recoveredWith?: string | null;
  /** A heal of it was verified. */
  healed: boolean;
  /** Its service was chronic while it was open: its pages say so. */
  chronic: Chronic | null;
  /** A runbook run by hand: who ran it. It closes with the run's outcome, not with signals. */
  manual?: { actor: string; request: number };
}

/** Changed only through the machine in breaker.ts, which returns a new one for every change. */
export interface BreakerState {
  state: 'closed' | 'open' | 'half-open';
  /** Start times of heals within the window, oldest first. */
  attempts: number[];
  openUntil: number | null;
  /** The half-open trial in flight. */
  trial: string | null;
}

export interface InFlight {
  incidentId: string;
  service: string;
  policy: string;
  runbook: string;
  startedAt: number;
  halfOpenTrial: boolean;
}

export interface RuntimeSilence {
  matchers: LabelMatcher[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  createdAt: number;
}

export interface PendingApproval {
  incidentId: string;
  service: string;
  attempt: number;
  expiresAt: number;
}

export interface QueueEntry {
  service: string;
  incident: string;
}

export interface BlastState {
  /** Services the policy selects that are unhealthy with every dependency healthy. */
  unhealthy: number;
  /** The open group page, while above the limit. */
  page: string | null;
  /** Services with incidents held by it. */
  held: string[];
}

export function initialState(): EngineState {
  return {
    version: 1,
    nextIncident: 1,
    nextGroupPage: 1,
    services: emptyTable(),
    inFlight: emptyTable(),
    inFlightCount: 0,
    inFlightByPolicy: {},
    approvals: {},
    queue: [],
    blast: {},
    timers: emptyTimers(),
  };
}

export function incidentOf(
  service: ServiceState | undefined,
  id: string,
): IncidentState | undefined {
  return service?.incidents.find((incident) => incident.id === id);
}

export function signalOf(
  service: ServiceState | undefined,
  fingerprint: string,
): SignalRecord | undefined {
  return service?.signals.find((signal) => signal.fingerprint === fingerprint);
}

export function emptyService(): ServiceState {
  return {
    firing: 0,
    signals: [],
    incidents: [],
    busy: null,
    lastAttemptEndAt: null,
    failures: 0,
    breakers: {},
    counts: {},
    held: [],
  };
}

/** A service with nothing to remember is dropped from the table, so state stays small. */
export function isEmptyService(service: ServiceState): boolean {
  return (
    service.firing === 0 &&
    service.busy === null &&
    service.lastAttemptEndAt === null &&
    service.failures === 0 &&
    service.held.length === 0 &&
    (service.heals === undefined || service.heals.length === 0) &&
    service.incidents.length === 0 &&
    Object.keys(service.breakers).length === 0 &&
    Object.keys(service.counts).length === 0
  );
}

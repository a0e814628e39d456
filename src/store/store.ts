import type { Signal } from '../signals/signal.ts';

/**
 * What mend keeps: signal transitions with their evidence, incidents and their timelines, the
 * runbook journal and the audit log. Kept narrow so that SQLite (one process) and PostgreSQL
 * (several replicas) implement the same contract (test/store/contract.ts) and nothing else.
 *
 * Every method is async and returns plain objects. A failure of the database itself (locked,
 * read-only, full, corrupt, unavailable) rejects with a StoreError; what was committed before stays.
 * Timestamps (`...At`, `since`, `until`) are integer epoch ms; anything else is refused with a
 * TypeError, because PostgreSQL's bigint would refuse it too.
 */
export interface Store {
  /** Brings the schema up to date; openStore runs it, and running it again does nothing. */
  migrate(): Promise<void>;
  /** A cheap read that proves the database answers (for /readyz). Rejects with a StoreError. */
  ping(): Promise<void>;
  /** Releases the database; later calls reject with a StoreError of kind 'unavailable'. */
  close(): Promise<void>;

  /** Records a signal and its evidence in one transaction; returns the signal's id. */
  recordSignal(signal: Signal): Promise<number>;
  listSignals(filter?: SignalFilter): Promise<StoredSignal[]>;

  /**
   * Opens an incident, or returns the one already open for the same groupKey (created: false):
   * the database, not the caller, guarantees one open incident per group, even across replicas.
   * The timeline gets an 'opened' event in the same transaction.
   */
  openIncident(incident: NewIncident): Promise<{ created: boolean; incident: Incident }>;
  appendIncidentEvent(event: NewIncidentEvent): Promise<IncidentEvent>;
  /** The incident with its whole timeline, oldest event first; undefined when there is none. */
  getIncident(id: number): Promise<IncidentWithTimeline | undefined>;
  listIncidents(filter?: IncidentFilter): Promise<Incident[]>;
  /**
   * Resolves an open incident and appends a 'resolved' event. Resolving a resolved incident
   * returns it unchanged; undefined when there is no such incident.
   */
  resolveIncident(id: number, resolution: Resolution): Promise<Incident | undefined>;

  /**
   * Appends to the runbook journal. One entry per (idempotencyKey, phase): a second append with
   * the same pair writes nothing and returns the first entry with created: false, so a replica
   * that lost a race learns that the step was already journaled.
   */
  appendJournal(entry: JournalEntry): Promise<{ created: boolean; entry: StoredJournalEntry }>;
  /** A run's journal in append order. */
  listJournal(runId: string): Promise<StoredJournalEntry[]>;

  /** Appends to the audit log, which the database itself keeps append-only. */
  appendAudit(entry: AuditEntry): Promise<StoredAuditEntry>;
  listAudit(filter?: AuditFilter): Promise<StoredAuditEntry[]>;
}

/**
 * The window and page every list takes. `since` is inclusive, `until` exclusive; ties on the time
 * are broken by append order. Default order: oldest first (the order decisions are replayed in).
 */
export interface TimeWindow {
  since?: number;
  until?: number;
  limit?: number;
  order?: 'oldest-first' | 'newest-first';
}

/** A recorded signal; its evidence comes back exactly as recorded, oldest observation first. */
export interface StoredSignal extends Signal {
  id: number;
}

/** Filters on the transition's time (`at`). */
export interface SignalFilter extends TimeWindow {
  service?: string;
}

export type IncidentStatus = 'open' | 'resolved';

export interface NewIncident {
  service: string;
  title: string;
  /** What groups signals into this incident (one open incident per key). */
  groupKey: string;
  openedAt: number;
  /** Anything later work wants to keep on the incident (JSON). */
  fields?: Record<string, unknown>;
}

export interface Incident {
  id: number;
  service: string;
  status: IncidentStatus;
  title: string;
  groupKey: string;
  openedAt: number;
  resolvedAt?: number;
  fields: Record<string, unknown>;
}

export interface NewIncidentEvent {
  incidentId: number;
  at: number;
  /** 'opened', 'signal', 'decision', 'step', 'notification', 'resolved', ... */
  type: string;
  /** JSON; comes back as JSON.parse(JSON.stringify(payload)). */
  payload: unknown;
}

export interface IncidentEvent extends NewIncidentEvent {
  id: number;
}

export interface IncidentWithTimeline extends Incident {
  timeline: IncidentEvent[];
}

/** Filters on `openedAt`. */
export interface IncidentFilter extends TimeWindow {
  service?: string;
  status?: IncidentStatus;
  groupKey?: string;
}

export interface Resolution {
  at: number;
  /** Why it is resolved, in one line ("check api/health healthy again after restart"). */
  reason: string;
}

export type JournalPhase = 'intent' | 'result';

export interface JournalEntry {
  runId: string;
  incidentId?: number;
  stepIndex: number;
  attempt: number;
  /** Deterministic per command (`incident:step:attempt`), so failover never repeats a step. */
  idempotencyKey: string;
  /** Intent is journaled before the step runs, result after. */
  phase: JournalPhase;
  at: number;
  payload: unknown;
}

export interface StoredJournalEntry extends JournalEntry {
  id: number;
}

export interface AuditEntry {
  at: number;
  /** Who: a token's subject, 'controller', 'cli'. */
  actor: string;
  action: string;
  target: string;
  details: unknown;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
}

/** Filters on `at`. */
export interface AuditFilter extends TimeWindow {
  actor?: string;
  action?: string;
  target?: string;
}

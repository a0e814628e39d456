import type { Insertable, Selectable } from 'kysely';
import type { Observation } from '../signals/observation.ts';
import type { Signal, SignalStatus } from '../signals/signal.ts';
import { epochMs, fromJson, integer, toJson, toNumber, toOptionalNumber } from './row-values.ts';
import type { StoreSchema } from './schema.ts';
import type {
  Incident,
  IncidentStatus,
  JournalEntry,
  JournalPhase,
  OpenedIncident,
  StoredIncidentEvent,
  StoredJournalEntry,
  StoredSignal,
} from './store.ts';

/**
 * Records to rows and back, for every SQL implementation. Writers validate and serialise
 * everything before a transaction starts; readers rebuild exactly what was written (absent
 * optional fields stay absent, never `undefined`).
 */
type Row<T extends keyof StoreSchema> = Selectable<StoreSchema[T]>;
type NewRow<T extends keyof StoreSchema> = Insertable<StoreSchema[T]>;

export function signalRow(signal: Signal): NewRow<'signals'> {
  return {
    fingerprint: signal.fingerprint,
    source: signal.source,
    service: signal.service,
    check_name: signal.check ?? null,
    status: signal.status,
    labels: toJson('labels', signal.labels),
    starts_at: epochMs('startsAt', signal.startsAt),
    at: epochMs('at', signal.at),
    summary: signal.summary,
  };
}

export function storedSignal(row: Row<'signals'>, evidence: Observation[]): StoredSignal {
  const signal: StoredSignal = {
    id: toNumber(row.id),
    fingerprint: row.fingerprint,
    source: row.source,
    service: row.service,
    labels: fromJson<Record<string, string>>(row.labels),
    // The CHECK constraint admits only these values.
    status: row.status as SignalStatus,
    startsAt: toNumber(row.starts_at),
    at: toNumber(row.at),
    summary: row.summary,
    evidence,
  };
  if (row.check_name !== null) signal.check = row.check_name;
  return signal;
}

/** An observation without its signal id and position, which the transaction supplies. */
export type ObservationValues = Omit<NewRow<'observations'>, 'signal_id' | 'position'>;

export function observationRow(observation: Observation): ObservationValues {
  const { ok, startedAt, durationMs, error, ...details } = observation;
  if (!Number.isFinite(durationMs)) throw new TypeError(`durationMs must be a number`);
  return {
    started_at: epochMs('evidence startedAt', startedAt),
    duration_ms: durationMs,
    ok: ok ? 1 : 0,
    error: error ?? null,
    details: toJson('evidence', details),
  };
}

export function observation(row: Row<'observations'>): Observation {
  const result: Observation = {
    ok: toNumber(row.ok) === 1,
    startedAt: toNumber(row.started_at),
    durationMs: Number(row.duration_ms),
    ...fromJson<Omit<Observation, 'ok' | 'startedAt' | 'durationMs' | 'error'>>(row.details),
  };
  if (row.error !== null) result.error = row.error;
  return result;
}

/** The engine's id is kept in group_key; the row's own integer id stays inside the store. */
export function incidentRow(incident: OpenedIncident): NewRow<'incidents'> {
  return {
    service: incident.service,
    status: 'open',
    title: incident.title,
    group_key: incident.incidentId,
    opened_at: epochMs('openedAt', incident.openedAt),
    resolved_at: null,
    fields: toJson('fields', incident.fields ?? {}),
  };
}

export function incident(row: Row<'incidents'>): Incident {
  const result: Incident = {
    id: row.group_key,
    service: row.service,
    // The CHECK constraint admits only these values.
    status: row.status as IncidentStatus,
    title: row.title,
    openedAt: toNumber(row.opened_at),
    fields: fromJson<Record<string, unknown>>(row.fields),
  };
  const resolvedAt = toOptionalNumber(row.resolved_at);
  if (resolvedAt !== undefined) result.resolvedAt = resolvedAt;
  return result;
}

/** An event without the incident's row id, which the transaction looks up by the engine's id. */
export type IncidentEventValues = Omit<NewRow<'incident_events'>, 'incident_id'>;

export function incidentEventRow(event: {
  at: number;
  type: string;
  payload: unknown;
}): IncidentEventValues {
  return {
    at: epochMs('at', event.at),
    type: event.type,
    payload: toJson('payload', event.payload),
  };
}

/** A timeline row, named by the engine's id of the incident it belongs to. */
export function incidentEvent(
  row: Row<'incident_events'>,
  incidentId: string,
): StoredIncidentEvent {
  return {
    id: toNumber(row.id),
    incidentId,
    at: toNumber(row.at),
    type: row.type,
    payload: fromJson<unknown>(row.payload),
  };
}

export function journalRow(entry: JournalEntry): NewRow<'runbook_journal'> {
  return {
    run_id: entry.runId,
    step_index: integer('stepIndex', entry.stepIndex),
    attempt: integer('attempt', entry.attempt),
    idempotency_key: entry.idempotencyKey,
    phase: entry.phase,
    at: epochMs('at', entry.at),
    payload: toJson('payload', entry.payload),
  };
}

export function journalEntry(row: Row<'runbook_journal'>): StoredJournalEntry {
  return {
    id: toNumber(row.id),
    runId: row.run_id,
    stepIndex: toNumber(row.step_index),
    attempt: toNumber(row.attempt),
    idempotencyKey: row.idempotency_key,
    // The CHECK constraint admits only these values.
    phase: row.phase as JournalPhase,
    at: toNumber(row.at),
    payload: fromJson<unknown>(row.payload),
  };
}

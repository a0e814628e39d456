import type { Signal } from '../../signals/signal.ts';
import { serviceOf } from '../compile.ts';
import type { Draft } from '../draft.ts';
import type { IncidentState, ServiceState, SignalRecord } from '../state.ts';

/**
 * Incidents group signals by service plus the Settings' groupBy labels (as Alertmanager's
 * group_by). One open incident per group: a signal joins it, or opens a new one with the next id.
 */
export function openIncident(d: Draft, svc: ServiceState, signal: Signal): IncidentState {
  const group: Record<string, string> = { service: signal.service };
  // Groups are kept per service, so the key holds only the other labels ('' for none).
  let groupKey = '';
  for (const label of d.compiled.settings.groupBy) {
    if (label === 'service') continue;
    group[label] = signal.labels[label] ?? '';
    groupKey += `${label}=${JSON.stringify(group[label])};`;
  }
  const open = svc.incidents.find((incident) => incident.groupKey === groupKey);
  if (open !== undefined) return open;
  return newIncident(d, svc, { service: signal.service, groupKey, group, since: signal.at });
}

/** A new incident with the next id, opened now. */
export function newIncident(
  d: Draft,
  svc: ServiceState,
  opening: { service: string; groupKey: string; group: Record<string, string>; since: number },
): IncidentState {
  const { service, groupKey, group } = opening;
  const id = `inc-${d.state.nextIncident++}`;
  const incident: IncidentState = {
    id,
    service,
    groupKey,
    group,
    openedAt: d.now,
    firing: [],
    policy: null,
    lead: null,
    since: opening.since,
    counted: false,
    phase: 'pending',
    blockedBy: null,
    wakeAt: null,
    attempts: 0,
    rung: 0,
    rungStartedAt: null,
    healing: null,
    approval: null,
    approvedAttempt: null,
    pages: [],
    linkedTo: null,
    linkedVia: null,
    healed: false,
    chronic: null,
  };
  svc.incidents.push(incident);
  d.emit({ type: 'opened', incidentId: id, at: d.now, service, group });
  return incident;
}

/** What the engine keeps of a signal; evidence stays with the shell, but its verdict on deps stays. */
export function signalRecord(d: Draft, signal: Signal, incidentId: string): SignalRecord {
  const service = serviceOf(d.compiled, signal.service);
  const check = signal.check ?? null;
  const role =
    signal.labels.role ?? (check !== null ? service.roles.get(check) : undefined) ?? null;
  const last = signal.evidence[signal.evidence.length - 1];
  const record: SignalRecord = {
    fingerprint: signal.fingerprint,
    source: signal.source,
    check,
    role,
    labels: signal.labels,
    startsAt: signal.startsAt,
    at: signal.at,
    summary: signal.summary,
    error: last?.error ?? '',
    incidentId,
    policies: [],
    namedDeps: namedDependencies(d, signal, 'fail'),
  };
  const unknown = namedDependencies(d, signal, 'warn');
  if (unknown.length > 0) record.unknownDeps = unknown;
  return record;
}

/**
 * Services the evidence names with this health: the last observation's health document lists
 * its dependencies; one whose component, name, or part before ":" (as in "db:connections") is a
 * known service counts as a dependency of this one. `warn` is also what an unknown status
 * (`UNKNOWN`) reads as.
 */
function namedDependencies(d: Draft, signal: Signal, health: 'fail' | 'warn'): string[] {
  const last = signal.evidence[signal.evidence.length - 1];
  const names: string[] = [];
  for (const dependency of last?.dependencies ?? []) {
    if (dependency.health !== health) continue;
    const candidates = [dependency.component, dependency.name, dependency.name.split(':')[0]];
    const name = candidates.find(
      (candidate): candidate is string =>
        candidate !== undefined && d.compiled.services.has(candidate),
    );
    if (name !== undefined && name !== signal.service && !names.includes(name)) names.push(name);
  }
  return names;
}

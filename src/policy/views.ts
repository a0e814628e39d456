import {
  type BreakerState,
  type EngineState,
  type IncidentState,
  incidentOf,
  type RuntimeSilence,
} from './state.ts';
import { tableEntries, tableGet } from './table.ts';

/** Read-only views of engine state for the shell, the CLI and tests. */

export interface BreakerView extends BreakerState {
  service: string;
  runbook: string;
}

/** Every breaker with attempts or not closed (`mend breaker list`), sorted by service and runbook. */
export function listBreakers(state: EngineState): BreakerView[] {
  const out: BreakerView[] = [];
  for (const [service, svc] of tableEntries(state.services)) {
    for (const [runbook, breaker] of Object.entries(svc.breakers)) {
      out.push({ service, runbook, ...breaker });
    }
  }
  return out.sort((a, b) =>
    a.service === b.service ? compare(a.runbook, b.runbook) : compare(a.service, b.service),
  );
}

/** Every open incident, by id number. */
export function openIncidents(state: EngineState): IncidentState[] {
  const out: IncidentState[] = [];
  for (const [, svc] of tableEntries(state.services)) out.push(...svc.incidents);
  return out.sort((a, b) => idNumber(a.id) - idNumber(b.id));
}

export function findIncident(state: EngineState, service: string, id: string) {
  return incidentOf(tableGet(state.services, service), id);
}

function idNumber(id: string): number {
  return Number(id.slice(id.lastIndexOf('-') + 1));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface SilenceView extends RuntimeSilence {
  id: string;
}

/** Runtime silences that have not ended at `now`, by start time. */
export function listSilences(state: EngineState, now: number): SilenceView[] {
  return Object.entries(state.silences ?? {})
    .filter(([, silence]) => silence.endsAt > now)
    .map(([id, silence]) => ({ id, ...silence }))
    .sort((a, b) => a.startsAt - b.startsAt || compare(a.id, b.id));
}

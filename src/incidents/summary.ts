import type { IncidentWithTimeline } from '../store/store.ts';
import { eventsOf } from './record.ts';

/** One row of `mend incidents list`: read from the incident and its timeline alone. */
export interface IncidentSummary {
  id: string;
  service: string;
  status: 'open' | 'resolved';
  openedAt: number;
  resolvedAt: number | null;
  /** Until resolved, or until `now` while open. */
  durationMs: number;
  attempts: number;
  chronic: boolean;
  title: string;
}

export function summarize(incident: IncidentWithTimeline, now: number): IncidentSummary {
  const record = { incident };
  // Each heal is decided once, with its id in that decision's commands.
  const heals = new Set(
    eventsOf(record, 'decision').flatMap((e) => e.commandIds.filter((id) => /:heal:\d+$/.test(id))),
  );
  return {
    id: incident.id,
    service: incident.service,
    status: incident.status,
    openedAt: incident.openedAt,
    resolvedAt: incident.resolvedAt ?? null,
    durationMs: Math.max(0, (incident.resolvedAt ?? now) - incident.openedAt),
    attempts: heals.size,
    chronic: eventsOf(record, 'chronic').length > 0,
    title: incident.title,
  };
}

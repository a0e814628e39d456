import type { Decision, EngineState, IncidentEvent } from '../policy/index.ts';
import type { Signal } from '../signals/signal.ts';

/** What one decision changes in the store's incidents: opened, timeline entries, resolved. */
export interface IncidentChanges {
  opened: { incidentId: string; service: string; title: string; openedAt: number }[];
  events: { incidentId: string; at: number; type: string; payload: IncidentEvent }[];
  resolved: { incidentId: string; at: number; reason: string }[];
}

export function incidentChanges(
  decision: Decision<EngineState>,
  signal: Signal | undefined,
): IncidentChanges {
  const changes: IncidentChanges = { opened: [], events: [], resolved: [] };
  for (const event of decision.events) {
    if (event.type === 'opened') {
      const what = signal?.service === event.service ? `: ${signal.summary}` : '';
      changes.opened.push({
        incidentId: event.incidentId,
        service: event.service,
        title: `${event.service}${what}`,
        openedAt: event.at,
      });
      continue; // the store writes the 'opened' timeline entry itself
    }
    if (event.type === 'resolved') {
      changes.resolved.push({
        incidentId: event.incidentId,
        at: event.at,
        reason: event.reason.message,
      });
      continue; // and the 'resolved' one
    }
    changes.events.push({
      incidentId: event.incidentId,
      at: event.at,
      type: event.type,
      payload: event,
    });
  }
  return changes;
}

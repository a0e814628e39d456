import { incidentChanges } from '../../src/decisions/incident-records.ts';
import { recordedInput } from '../../src/decisions/recorded-input.ts';
import type { IncidentRecord } from '../../src/incidents/record.ts';
import { createEngine, type Input } from '../../src/policy/index.ts';
import type { StoredDecision, StoredSignal } from '../../src/store/store.ts';
import { makeConfig } from '../policy/helpers.ts';

/**
 * Incident records built in memory, without a store: the real engine decides the inputs, and
 * the decisions become timelines exactly as the decision loop maps them (incidentChanges), so
 * pure tests of figures and reports read what a store would hold.
 */
export function recordsOf(policies: Record<string, unknown>, inputs: Input[]): IncidentRecord[] {
  const services = [
    ...new Set(inputs.flatMap((i) => (i.kind === 'signal' ? [i.signal.service] : []))),
  ];
  const engine = createEngine(
    makeConfig({ services: services.map((name) => ({ name })), policies }),
  );
  let state = engine.initialState();
  const records = new Map<string, IncidentRecord>();
  let seq = 0;
  let eventId = 0;
  let signalId = 0;
  for (const input of inputs) {
    const decision = engine.decide(state, input, input.at);
    state = decision.state;
    const signal = input.kind === 'signal' ? input.signal : undefined;
    const stored: StoredDecision = {
      seq: ++seq,
      at: input.at,
      kind: input.kind,
      input: JSON.parse(JSON.stringify(recordedInput(input))),
      decision: JSON.parse(
        JSON.stringify({
          commands: decision.commands,
          events: decision.events,
          reasons: decision.reasons,
        }),
      ),
      configRevision: 'test',
      ...(signal ? { signalId: ++signalId } : {}),
    };
    const changes = incidentChanges(decision, signal);
    for (const opened of changes.opened) {
      records.set(opened.incidentId, {
        incident: {
          id: opened.incidentId,
          service: opened.service,
          status: 'open',
          title: opened.title,
          openedAt: opened.openedAt,
          fields: {},
          timeline: [
            {
              id: ++eventId,
              incidentId: opened.incidentId,
              at: opened.openedAt,
              type: 'opened',
              payload: { title: opened.title },
            },
          ],
        },
        decisions: [],
        signals: [],
        commands: [],
        journal: {},
      });
    }
    for (const event of changes.events) {
      const record = records.get(event.incidentId)!;
      record.incident.timeline.push({
        id: ++eventId,
        incidentId: record.incident.id,
        at: event.at,
        type: event.type,
        payload: JSON.parse(JSON.stringify(event.payload)),
      });
    }
    for (const resolved of changes.resolved) {
      const record = records.get(resolved.incidentId)!;
      record.incident.status = 'resolved';
      record.incident.resolvedAt = resolved.at;
      record.incident.timeline.push({
        id: ++eventId,
        incidentId: record.incident.id,
        at: resolved.at,
        type: 'resolved',
        payload: { reason: resolved.reason },
      });
    }
    for (const record of records.values()) {
      const mentioned = [...decision.events, ...decision.reasons].some(
        (e) => e.incidentId === record.incident.id,
      );
      if (!mentioned) continue;
      record.decisions.push(stored);
      const own = decision.events.some(
        (e) => e.type === 'signal' && e.incidentId === record.incident.id,
      );
      if (signal && own) record.signals.push({ ...signal, id: signalId } as StoredSignal);
    }
  }
  return [...records.values()];
}

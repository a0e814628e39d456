import type { StoredIncidentEvent } from '../store/store.ts';
import { oneLine } from './format.ts';
import { engineEvent, type IncidentRecord, isRecord } from './record.ts';
import { type StepRun, stepResultWords, stepRuns } from './steps.ts';

/** One line of an incident's story: when, what happened, and the detail that matters. */
export interface TimelineEntry {
  at: number;
  what: string;
  detail: string;
}

/**
 * The incident's timeline as people read it: every event recorded on the incident (by the engine,
 * the runbooks and the notifiers) and every runbook step from the journal, in time order.
 */
export function timelineOf(record: IncidentRecord): TimelineEntry[] {
  const entries = record.incident.timeline.map(describeEvent);
  for (const [runId, journal] of Object.entries(record.journal)) {
    for (const step of stepRuns(journal)) entries.push(describeStep(runId, step));
  }
  // Stable: equal times keep the recorded order, and timeline events come before steps.
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at - b.entry.at || a.index - b.index)
    .map(({ entry }) => entry);
}

export function describeEvent(stored: StoredIncidentEvent): TimelineEntry {
  const at = stored.at;
  const event = engineEvent(stored);
  if (event === undefined) return { at, what: stored.type, detail: describePayload(stored) };
  switch (event.type) {
    case 'signal':
      return {
        at,
        what: `signal ${event.status}`,
        detail: `${event.check ?? event.fingerprint}: ${event.summary}`,
      };
    case 'decision': {
      const commands = event.commandIds.length > 0 ? ` [${event.commandIds.join(', ')}]` : '';
      return {
        at,
        what: `decision ${event.verdict}`,
        detail: `${event.reason.message}${commands}`,
      };
    }
    case 'outcome':
      return {
        at,
        what: `outcome ${event.result}`,
        detail: `${event.commandId}${event.detail ? `: ${event.detail}` : ''}`,
      };
    case 'approval':
      return {
        at,
        what: `approval ${event.verdict}`,
        detail: `${event.approvalId}${event.actor ? ` by ${event.actor}` : ''}`,
      };
    case 'opened':
      return { at, what: 'opened', detail: event.service };
    case 'resolved':
    case 'matched':
    case 'linked':
    case 'unlinked':
    case 'breaker-reset':
    case 'chronic':
      return { at, what: event.type, detail: event.reason.message };
  }
}

/** Events the store writes itself ('opened', 'resolved') and those of other writers. */
function describePayload(stored: StoredIncidentEvent): string {
  const payload = stored.payload;
  if (!isRecord(payload)) return payload === undefined ? '' : oneLine(String(payload));
  if (typeof payload.notifier === 'string' && typeof payload.key === 'string') {
    return describeDelivery(payload);
  }
  for (const key of ['title', 'reason', 'message', 'summary', 'text', 'detail', 'error']) {
    // A reason is a line or, from the engine, an object with its message.
    const value = isRecord(payload[key]) ? payload[key].message : payload[key];
    if (typeof value === 'string' && value !== '') {
      const extra = ['notifier', 'key', 'status']
        .filter((k) => k !== key && payload[k] !== undefined && typeof payload[k] !== 'object')
        .map((k) => `${k}=${String(payload[k])}`);
      return oneLine(extra.length > 0 ? `${value} (${extra.join(', ')})` : value);
    }
  }
  return oneLine(JSON.stringify(payload));
}

function describeStep(runId: string, step: StepRun): TimelineEntry {
  const name = step.name ?? step.kind ?? `step ${step.stepIndex}`;
  const what = step.command ?? name;
  const facts = [
    step.exitCode === null ? null : `exit ${step.exitCode}`,
    step.durationMs === null ? null : `${Math.round(step.durationMs)}ms`,
  ].filter(Boolean);
  const result = `${stepResultWords(step)}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
  const section = step.section ? `${step.section} ` : '';
  const attempt = step.attempt > 1 ? ` (attempt ${step.attempt})` : '';
  return {
    at: step.endedAt ?? step.startedAt ?? 0,
    what: 'step',
    detail: oneLine(`${runId} ${section}#${step.stepIndex} ${name}${attempt}: ${what}: ${result}`),
  };
}

/** A notifier's delivery record (src/notify): `page inc-4:page:1 to oncall (webhook): delivered ...` */
function describeDelivery(payload: Record<string, unknown>): string {
  const event = typeof payload.event === 'string' ? `${payload.event} ` : '';
  const kind = typeof payload.kind === 'string' ? ` (${payload.kind})` : '';
  const attempts = typeof payload.attempts === 'number' ? payload.attempts : null;
  const tries = attempts === null ? '' : ` after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  const took =
    typeof payload.durationMs === 'number' ? ` in ${Math.round(payload.durationMs)}ms` : '';
  const how =
    typeof payload.error === 'string'
      ? `failed${tries}: ${payload.error}`
      : `delivered${tries}${took}`;
  const status = typeof payload.status === 'string' ? ` (${payload.status})` : '';
  return oneLine(
    `${event}${String(payload.key)} to ${String(payload.notifier)}${kind}: ${how}${status}`,
  );
}

import { describeEvent } from '../incidents/timeline.ts';
import type { Reason } from '../policy/types.ts';
import type { IncidentWithTimeline, StoredIncidentEvent, StoredSignal } from '../store/store.ts';
import { chronicOf } from './chronic.ts';
import { healAttempts } from './incident-record.ts';
import {
  bound,
  NOTIFICATION_LIMITS,
  NOTIFICATION_VERSION,
  type Notification,
  type NotificationEvidence,
} from './notification.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** A timeline entry in one line, worded as the incident report words it. */
function timelineText(event: StoredIncidentEvent): string {
  const entry = describeEvent(event);
  return entry.detail === '' ? entry.what : `${entry.what}: ${entry.detail}`;
}

export interface ComposeInput {
  event: Notification['event'];
  key: string;
  dedupKey: string;
  pageId?: string;
  summary: string;
  incidentIds: string[];
  /** The store's record of the (first) incident, with its timeline. */
  incident?: IncidentWithTimeline;
  lead?: StoredSignal;
  reason?: Reason;
  /** The page command says the service is chronic. */
  chronic?: boolean;
  approval?: Notification['approval'];
  now: number;
}

/** The notification, from the command and what the store recorded; every part bounded. */
export function composeNotification(input: ComposeInput): Notification {
  const { incident } = input;
  const chronic = chronicOf(incident, input.chronic === true);
  return {
    version: NOTIFICATION_VERSION,
    event: input.event,
    key: input.key,
    dedupKey: input.dedupKey,
    ...(input.pageId !== undefined ? { pageId: input.pageId } : {}),
    at: iso(input.now),
    summary: bound(input.summary, NOTIFICATION_LIMITS.summaryChars),
    ...(incident ? { service: incident.service } : {}),
    incidents: input.incidentIds,
    attempts: healAttempts(incident),
    ...(input.reason ? { reason: reasonOf(input.reason) } : {}),
    chronic: chronic.chronic,
    ...(chronic.note !== undefined ? { chronicNote: chronic.note } : {}),
    evidence: input.lead ? [evidenceOf(input.lead)] : [],
    timeline: timelineOf(incident),
    ...(input.approval ? { approval: input.approval } : {}),
  };
}

function reasonOf(reason: Reason): NonNullable<Notification['reason']> {
  return {
    code: reason.code,
    message: bound(reason.message, NOTIFICATION_LIMITS.textChars),
    ...(reason.policy !== undefined ? { policy: reason.policy } : {}),
    ...(reason.guardrail !== undefined ? { guardrail: reason.guardrail } : {}),
    numbers: { ...reason.numbers },
  };
}

function evidenceOf(signal: StoredSignal): NotificationEvidence {
  const { outputChars, observations } = NOTIFICATION_LIMITS;
  return {
    fingerprint: signal.fingerprint,
    source: signal.source,
    service: signal.service,
    ...(signal.check !== undefined ? { check: signal.check } : {}),
    status: signal.status,
    summary: bound(signal.summary, NOTIFICATION_LIMITS.textChars),
    startsAt: iso(signal.startsAt),
    observations: signal.evidence.slice(-observations).map((o) => ({
      startedAt: iso(o.startedAt),
      ok: o.ok,
      durationMs: o.durationMs,
      ...(o.status !== undefined ? { status: o.status } : {}),
      ...(o.error !== undefined ? { error: bound(o.error, outputChars) } : {}),
      ...(o.output !== undefined ? { output: bound(o.output, outputChars) } : {}),
    })),
  };
}

function timelineOf(incident: IncidentWithTimeline | undefined): Notification['timeline'] {
  if (incident === undefined) return [];
  return incident.timeline.slice(-NOTIFICATION_LIMITS.timelineEntries).map((event) => ({
    at: iso(event.at),
    type: event.type,
    text: bound(timelineText(event), NOTIFICATION_LIMITS.textChars),
  }));
}

import type { IncidentEvent } from '../store/store.ts';

type Payload = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const reasonOf = (p: Payload): string | undefined =>
  typeof p.reason === 'object' && p.reason !== null
    ? text((p.reason as Payload).message)
    : text(p.reason);

/**
 * One timeline entry in one line, for a person reading a page. Knows the engine's events and
 * mend's own; anything else (a runbook step, entries later work adds) falls back to the words it
 * carries (a reason, a summary, a message) or its type.
 */
export function timelineText(event: IncidentEvent): string {
  const p = (
    typeof event.payload === 'object' && event.payload !== null ? event.payload : {}
  ) as Payload;
  switch (event.type) {
    case 'opened':
      return text(p.title) ?? 'opened';
    case 'signal':
      return `${text(p.check) ?? 'signal'} ${text(p.status) ?? ''}: ${text(p.summary) ?? ''}`;
    case 'decision':
      return `${text(p.verdict) ?? 'decided'}: ${reasonOf(p) ?? ''}`;
    case 'outcome':
      return `${text(p.commandId) ?? 'heal'} ${text(p.result) ?? ''}${text(p.detail) ? `: ${p.detail}` : ''}`;
    case 'approval':
      return `${text(p.approvalId) ?? 'approval'} ${text(p.verdict) ?? ''}${text(p.actor) ? ` by ${p.actor}` : ''}`;
    case 'notification':
      return `${text(p.event) ?? 'notification'} sent to ${text(p.notifier) ?? '?'} (${text(p.key) ?? ''})`;
    case 'notification-failed':
      return `${text(p.event) ?? 'notification'} to ${text(p.notifier) ?? '?'} failed: ${text(p.error) ?? ''}`;
    default:
      return reasonOf(p) ?? text(p.summary) ?? text(p.message) ?? event.type;
  }
}

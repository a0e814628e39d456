import { bound, type Notification } from '../notification.ts';
import { chronicText, evidenceLines, timelineLine } from '../render-text.ts';

/**
 * PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
 * A page triggers an alert whose dedup_key is the incident id; the resolve sends the same
 * dedup_key, so PagerDuty closes the alert it opened. An approval request triggers its own alert
 * (dedup_key: the approval id) at severity `warning`; nothing resolves it.
 */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details: Record<string, unknown>;
  };
  client?: string;
  client_url?: string;
  links?: { href: string; text: string }[];
}

export function pagerDutyEvent(
  n: Notification,
  routingKey: string,
  severity: PagerDutySeverity,
): PagerDutyEvent {
  if (n.event === 'resolve') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: n.dedupKey };
  }
  const lead = n.evidence[0];
  const component = lead?.check ?? lead?.source;
  const event: PagerDutyEvent = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: n.event === 'approval' ? n.key : n.dedupKey,
    payload: {
      // PagerDuty refuses a summary over 1024 characters.
      summary: bound(n.event === 'approval' ? `Approval needed: ${n.summary}` : n.summary, 1024),
      // The affected system: the service (PagerDuty suggests a host name; mend's unit is a service).
      source: n.service ?? 'mend',
      severity: n.event === 'approval' ? 'warning' : severity,
      timestamp: n.at,
      ...(component !== undefined ? { component } : {}),
      ...(n.reason?.policy !== undefined ? { group: n.reason.policy } : {}),
      ...(n.reason !== undefined ? { class: n.reason.code } : {}),
      custom_details: customDetails(n),
    },
    client: 'mend',
  };
  if (n.link) {
    event.client_url = n.link;
    event.links = [{ href: n.link, text: `${n.dedupKey} in mend` }];
  }
  return event;
}

/** What the responder reads under the summary; lists as lines, which PagerDuty shows well. */
function customDetails(n: Notification): Record<string, unknown> {
  const chronic = chronicText(n);
  return {
    incidents: n.incidents.join(', '),
    attempts: n.attempts,
    ...(n.reason ? { reason: n.reason.message, numbers: n.reason.numbers } : {}),
    ...(chronic ? { chronic } : {}),
    ...(n.approval ? { approve: n.approval.approveCommand, deny: n.approval.denyCommand } : {}),
    ...(n.evidence.length > 0 ? { evidence: n.evidence.flatMap(evidenceLines) } : {}),
    ...(n.timeline.length > 0 ? { timeline: n.timeline.map(timelineLine) } : {}),
    key: n.key,
  };
}

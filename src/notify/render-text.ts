import type {
  Notification,
  NotificationEvidence,
  NotificationTimelineEntry,
} from './notification.ts';

/**
 * Plain-text pieces every human-facing kind (Slack, email, PagerDuty's custom details) shows the
 * same way, so a person reads the same words whichever channel paged them.
 */

export function titleOf(n: Notification): string {
  switch (n.event) {
    case 'page':
      return `Page: ${n.summary}`;
    case 'resolve':
      return `Resolved: ${n.summary}`;
    case 'approval':
      return `Approval needed: ${n.summary}`;
  }
}

export const CHRONIC_SENTENCE = 'healing is hiding a recurring failure';

export function chronicText(n: Notification): string | undefined {
  if (!n.chronic) return undefined;
  return n.chronicNote ?? `Chronic: ${CHRONIC_SENTENCE}.`;
}

/** `12:03:04Z ok 12ms 200` / `12:03:05Z FAIL 1001ms: connect ECONNREFUSED` */
export function evidenceLines(evidence: NotificationEvidence): string[] {
  const what = evidence.check ?? evidence.source;
  const head = `${evidence.service}/${what} ${evidence.status} since ${evidence.startsAt}: ${evidence.summary}`;
  const lines = evidence.observations.map((o) => {
    const status = o.status === undefined ? '' : ` ${o.status}`;
    const error = o.error === undefined ? '' : `: ${o.error}`;
    return `${o.startedAt} ${o.ok ? 'ok  ' : 'FAIL'} ${Math.round(o.durationMs)}ms${status}${error}`;
  });
  return [head, ...lines];
}

export function timelineLine(entry: NotificationTimelineEntry): string {
  return `${entry.at} ${entry.text}`;
}

export function approvalLines(n: Notification): string[] {
  if (n.approval === undefined) return [];
  const a = n.approval;
  return [
    `Heal waiting for approval: runbook ${a.runbook} (attempt ${a.attempt}), expires ${a.expiresAt}.`,
    `To approve: ${a.approveCommand}`,
    `To deny:    ${a.denyCommand}`,
  ];
}

/** The whole notification as plain text: the email body, and what chat falls back to. */
export function plainText(n: Notification): string {
  const chronic = chronicText(n);
  const sections: string[][] = [
    [titleOf(n)],
    [
      `Service:   ${n.service ?? '-'}`,
      `Incident:  ${n.incidents.join(', ') || n.dedupKey}`,
      `Attempts:  ${n.attempts}`,
    ],
    chronic ? [chronic] : [],
    n.reason ? [`Reason (${n.reason.code}): ${n.reason.message}`] : [],
    approvalLines(n),
    n.evidence.length > 0 ? ['Evidence:', ...n.evidence.flatMap(evidenceLines)] : [],
    n.timeline.length > 0 ? ['Timeline:', ...n.timeline.map(timelineLine)] : [],
    n.link ? [`Link: ${n.link}`] : [],
  ];
  return `${sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join('\n'))
    .join('\n\n')}\n`;
}

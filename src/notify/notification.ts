import { z } from 'zod';

/**
 * The one message every notifier kind renders: a webhook POSTs it as it is (this schema is its
 * documented format, published as schema/notification.schema.json), Slack, PagerDuty and email
 * render it in their own formats. Built from what mend recorded (the command, the incident and its
 * timeline, the lead signal's evidence), bounded so that a page never grows without limit.
 */
export const NOTIFICATION_VERSION = 'mend.notification/v1';

/** Bounds: what a person reads on a phone at 3 a.m., and what receivers accept. */
export const NOTIFICATION_LIMITS = {
  summaryChars: 1024,
  observations: 5,
  outputChars: 1024,
  timelineEntries: 30,
  textChars: 2000,
};

const time = () => z.string().describe('An RFC 3339 time in UTC.');

const reason = z
  .strictObject({
    code: z.string().describe('Machine-readable: `breaker-open`, `ladder-exhausted`, ...'),
    message: z.string().describe('The same in words, with the numbers.'),
    policy: z.string().optional().describe('The policy that decided.'),
    guardrail: z.string().optional().describe('The guardrail that decided, if any.'),
    numbers: z
      .record(z.string(), z.union([z.number(), z.string()]))
      .describe('The figures that decided it: attempts, limits, counts, times (epoch ms).'),
  })
  .describe('Why mend decided to page (the decision reason as the engine recorded it).');

const observation = z.strictObject({
  startedAt: time(),
  ok: z.boolean(),
  durationMs: z.number(),
  status: z.union([z.number(), z.string()]).optional().describe('HTTP status, exit code, ...'),
  error: z.string().optional(),
  output: z.string().optional().describe('Bounded to 1024 characters.'),
});

const evidence = z
  .strictObject({
    fingerprint: z.string(),
    source: z.string().describe('`probe`, `alertmanager`, ...'),
    service: z.string(),
    check: z.string().optional(),
    status: z.enum(['firing', 'resolved']),
    summary: z.string(),
    startsAt: time(),
    observations: z.array(observation).describe('The last observations, oldest first (at most 5).'),
  })
  .describe('The signal that opened the incident and its last observations, from the store.');

const timelineEntry = z.strictObject({
  at: time(),
  type: z.string().describe('`opened`, `signal`, `decision`, `outcome`, `notification`, ...'),
  text: z
    .string()
    .describe(
      'The entry in one line, as the incident report words it: `signal firing: live: ...`.',
    ),
});

const approval = z
  .strictObject({
    id: z.string().describe('The approval id, e.g. `inc-3:approval:1`.'),
    expiresAt: time(),
    runbook: z.string().describe('The runbook that runs once approved.'),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    attempt: z.int(),
    approveCommand: z.string().describe('What to run to approve: `mend approve ID`.'),
    denyCommand: z.string().describe('What to run to deny: `mend deny ID`.'),
  })
  .describe('Present on `approval` notifications.');

export const notificationSchema = z
  .strictObject({
    version: z.literal(NOTIFICATION_VERSION).describe('The format of this payload.'),
    event: z
      .enum(['page', 'resolve', 'approval'])
      .describe(
        '`page`: a human is needed; `resolve`: the incident paged earlier recovered; `approval`: a heal waits for `mend approve`.',
      ),
    key: z
      .string()
      .describe(
        'The idempotency key of the command (`inc-3:page:1`, `inc-3:page:1:resolve`, `inc-3:approval:1`). mend sends each key once per notifier; after a crash at the wrong moment it may send it again, so a receiver may drop a key it has seen.',
      ),
    dedupKey: z
      .string()
      .describe(
        'The incident id (`inc-3`), or the group id of a blast-radius page (`blast:POLICY:N`): the same on a page and on its resolve (PagerDuty dedup_key).',
      ),
    pageId: z.string().optional().describe('The page a `page` or `resolve` is about.'),
    at: time().describe('When mend composed the notification.'),
    summary: z.string().describe('One line, at most 1024 characters.'),
    service: z.string().optional().describe('The service of the (first) incident.'),
    incidents: z.array(z.string()).describe('The incident ids the notification is about.'),
    attempts: z.int().describe('Heal attempts mend made for the incident so far.'),
    reason: reason.optional(),
    chronic: z.boolean().describe('The service is chronic: healing is hiding a recurring failure.'),
    chronicNote: z.string().optional().describe('Says so in words, with the numbers if known.'),
    evidence: z.array(evidence).describe('Empty when mend recorded none.'),
    timeline: z
      .array(timelineEntry)
      .describe('The incident timeline so far, oldest first (the newest 30 entries).'),
    approval: approval.optional(),
    link: z.string().optional().describe('The notifier’s `link`, with the incident id filled in.'),
  })
  .describe('What a mend webhook notifier POSTs (Content-Type: application/json).');

export type Notification = z.output<typeof notificationSchema>;
export type NotificationEvent = Notification['event'];
export type NotificationEvidence = Notification['evidence'][number];
export type NotificationTimelineEntry = Notification['timeline'][number];

/** Cut text to `max` characters, saying so at the end. */
export function bound(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = ' [... truncated by mend]';
  return text.slice(0, Math.max(0, max - marker.length)) + marker;
}

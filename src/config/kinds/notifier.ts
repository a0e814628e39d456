import { z } from 'zod';
import type { NotifierConfig } from '../config.ts';
import type { ValidDocument } from '../valid-document.ts';
import { type DocumentKind, defineDocumentKind } from './document-kind.ts';
import { duration, parseDuration } from './duration.ts';
import { exactlyOneKind, kindFields, type PluggedKind } from './plugged-kind.ts';

/** Every default of a Notifier, in one place: the schema and the reference doc read them here. */
export const NOTIFIER_DEFAULTS = {
  timeout: '10s',
  attempts: 3,
  backoff: { initial: '1s', max: '30s' },
  approvals: true,
};

const LINK_REFERENCE = '{{incident.id}}';

const link = z
  .string()
  .refine((text) => !text.replaceAll(LINK_REFERENCE, '').includes('{{'), {
    error: `expected a URL whose only reference is ${LINK_REFERENCE}`,
  })
  .refine((text) => /^https?:\/\/\S+$/i.test(text), {
    error: 'expected an absolute http:// or https:// URL',
  });

/** The Notifier spec: the common fields plus exactly one notifier kind's key. */
function notifierSpec(notifierKinds: readonly PluggedKind[]) {
  const spec = z.strictObject({
    ...kindFields(notifierKinds, 'notifier kind'),
    timeout: duration({ min: '100ms', max: '5m' })
      .default(NOTIFIER_DEFAULTS.timeout)
      .describe('The time limit of one delivery attempt. Default `10s`.'),
    attempts: z
      .int()
      .min(1)
      .max(10)
      .default(NOTIFIER_DEFAULTS.attempts)
      .describe(
        'Delivery attempts in all, the first included; only transient failures (timeouts, network errors, 429, 5xx, SMTP 4xx) are tried again. Default 3.',
      ),
    backoff: z
      .strictObject({
        initial: duration({ min: '1ms', max: '1m' })
          .default(NOTIFIER_DEFAULTS.backoff.initial)
          .describe('The first wait. Default `1s`.'),
        max: duration({ min: '1ms', max: '10m' })
          .default(NOTIFIER_DEFAULTS.backoff.max)
          .describe('The longest wait. Default `30s`.'),
      })
      .default(NOTIFIER_DEFAULTS.backoff)
      .describe('Waits between attempts grow exponentially (with jitter) from `initial` to `max`.'),
    approvals: z
      .boolean()
      .default(NOTIFIER_DEFAULTS.approvals)
      .describe(
        'Also send approval requests (`mend approve ID` / `mend deny ID`) of the policies that escalate here. Default true.',
      ),
    link: link
      .optional()
      .describe(
        `A link to the incident, shown in every message (a button in Slack, links in PagerDuty); ${LINK_REFERENCE} is replaced by the incident id. Unset: no link.`,
      ),
  });
  return exactlyOneKind(spec, notifierKinds, 'notifier kind');
}

export type NotifierSpec = z.output<ReturnType<typeof notifierSpec>> & Record<string, unknown>;

/** The Notifier kind, built from the notifier kinds given (src/notify/kinds/). */
export function notifierKind(
  notifierKinds: readonly PluggedKind[],
): DocumentKind<NotifierSpec, NotifierConfig> {
  return defineDocumentKind({
    kind: 'Notifier',
    summary:
      'Where pages, resolves and approval requests go: a webhook, Slack, PagerDuty or email. Secrets come from env or files, never from the config.',
    spec: notifierSpec(notifierKinds) as z.ZodType<NotifierSpec>,
    section: 'notifiers',
    build: (document) => notifierConfig(document, notifierKinds),
  });
}

function notifierConfig(
  document: ValidDocument<NotifierSpec>,
  notifierKinds: readonly PluggedKind[],
): NotifierConfig {
  const { spec } = document;
  const kind = notifierKinds.find((k) => spec[k.name] !== undefined)!;
  return {
    name: document.metadata.name,
    labels: document.metadata.labels,
    kind: kind.name,
    spec: spec[kind.name],
    timeoutMs: parseDuration(spec.timeout)!,
    attempts: spec.attempts,
    backoff: {
      initialMs: parseDuration(spec.backoff.initial)!,
      maxMs: parseDuration(spec.backoff.max)!,
    },
    approvals: spec.approvals,
    link: spec.link ?? null,
    source: document.position,
  };
}

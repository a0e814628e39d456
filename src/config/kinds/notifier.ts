import { z } from 'zod';
import { notifierKinds } from '../../notify/kinds/registry.ts';
import type { DocumentSource } from '../config.ts';
import { ConfigError } from '../config-error.ts';
import { didYouMean } from '../suggest.ts';
import type { ValidDocument } from '../validate-document.ts';
import { locate } from '../yaml/locate.ts';
import type { DocumentKind } from './document-kind.ts';
import { duration, parseDuration } from './duration.ts';
import type { PolicySpec } from './policy.ts';

/** Every default of a Notifier, in one place: the schema and the reference doc read them here. */
export const NOTIFIER_DEFAULTS = {
  timeout: '10s',
  attempts: 3,
  backoff: { initial: '1s', max: '30s' },
  approvals: true,
};

const kindFields = Object.fromEntries(
  notifierKinds.map((kind) => [
    kind.name,
    (kind.spec as z.ZodType)
      .optional()
      .describe(`${kind.summary} (notifier kind \`${kind.name}\`).`),
  ]),
);

const LINK_REFERENCE = '{{incident.id}}';

const link = z
  .string()
  .refine((text) => !text.replaceAll(LINK_REFERENCE, '').includes('{{'), {
    error: `expected a URL whose only reference is ${LINK_REFERENCE}`,
  })
  .refine((text) => /^https?:\/\/\S+$/i.test(text), {
    error: 'expected an absolute http:// or https:// URL',
  });

export const notifierSpec = z
  .strictObject({
    ...kindFields,
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
  })
  .superRefine(
    (spec, ctx) => {
      const present = notifierKinds.filter((kind) => (spec as Record<string, unknown>)[kind.name]);
      if (present.length !== 1) {
        const names = notifierKinds.map((kind) => kind.name).join(', ');
        ctx.addIssue({
          code: 'custom',
          path: present.length > 1 ? [present[1]!.name] : [],
          message:
            present.length === 0
              ? `expected exactly one notifier kind (${names}), found none`
              : `expected exactly one notifier kind (${names}), found ${present.map((k) => k.name).join(' and ')}`,
        });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  // The refinement is invisible to JSON Schema; say it there too, for editors.
  .meta({ oneOf: notifierKinds.map((kind) => ({ required: [kind.name] })) });

export type NotifierSpec = z.output<typeof notifierSpec>;

export const notifierKind: DocumentKind<NotifierSpec> = {
  kind: 'Notifier',
  summary:
    'Where pages, resolves and approval requests go: a webhook, Slack, PagerDuty or email. Secrets come from env or files, never from the config.',
  spec: notifierSpec,
};

/** A Notifier document, durations in milliseconds; `spec` is the kind's own (src/notify/kinds/). */
export interface NotifierConfig {
  name: string;
  labels: Record<string, string>;
  /** The notifier kind: `webhook`, `slack`, `pagerduty`, `email`. */
  kind: string;
  spec: unknown;
  timeoutMs: number;
  attempts: number;
  backoff: { initialMs: number; maxMs: number };
  approvals: boolean;
  /** With {{incident.id}} still in it; null when unset. */
  link: string | null;
  source: DocumentSource;
}

export function notifierConfig(document: ValidDocument): NotifierConfig {
  const spec = document.spec as NotifierSpec & Record<string, unknown>;
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

/**
 * Policies name notifiers in `page.notifiers` and `escalate.notifiers`; each name must be a
 * Notifier. A config with no Notifier at all is not checked, so that policy tests and
 * configs written before their notifiers still load; such a page is recorded on the incident
 * as a failed notification ("no Notifier named ...") when it happens.
 */
export function notifierReferenceErrors(valid: readonly ValidDocument[]): ConfigError[] {
  const names = valid.filter((d) => d.kind === 'Notifier').map((d) => d.metadata.name);
  if (names.length === 0) return [];
  const known = new Set(names);
  const errors: ConfigError[] = [];
  for (const document of valid.filter((d) => d.kind === 'Policy')) {
    const spec = document.spec as PolicySpec;
    const lists: [string, string[]][] = [['escalate', spec.escalate.notifiers]];
    if (spec.page) lists.push(['page', spec.page.notifiers]);
    for (const [field, list] of lists) {
      list.forEach((name, index) => {
        if (known.has(name)) return;
        errors.push(
          new ConfigError(
            locate(document.source, ['spec', field, 'notifiers', index]),
            `spec.${field}.notifiers[${index}]`,
            `expected the name of a Notifier, found ${JSON.stringify(name)}${didYouMean(name, names)}`,
          ),
        );
      });
    }
  }
  return errors;
}

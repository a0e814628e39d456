import { z } from 'zod';
import { POLICY_TEMPLATES, parseTemplate } from '../template.ts';
import { duration } from './duration.ts';
import { matcherList } from './matcher.ts';
import { name } from './name.ts';

/** Every default of a Policy, in one place: the schema and the reference doc read them here. */
export const POLICY_DEFAULTS = {
  priority: 0,
  roles: ['liveness'] as ('liveness' | 'readiness' | 'startup')[],
  for: '0s',
  maxAttempts: 3,
  window: '1h',
  cooldown: '1m',
  onConcurrencyLimit: 'queue' as 'queue' | 'page',
  expiresAfter: '15m',
};

const templated = z.string().superRefine((text, ctx) => {
  const parsed = parseTemplate(text, POLICY_TEMPLATES);
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
});

const params = z
  .record(z.string(), z.union([templated, z.number(), z.boolean()]))
  .default({})
  .describe(
    'Runbook parameters. Strings may use {{signal.labels.NAME}}, {{signal.service}}, {{signal.check}}, {{service.name}}, {{service.labels.NAME}}, {{incident.id}}. Checked at load against the runbook’s declarations: a literal as it is, a template as it renders for each service the policy matches when only the service decides it ({{service.name}}, {{service.labels.NAME}}); one that can never pass is a config error.',
  );

const heal = z.strictObject({
  runbook: name().describe('The Runbook to run (checked once runbooks exist).'),
  params,
});

const rung = z.strictObject({
  runbook: name().describe('The Runbook of this rung.'),
  params,
  deadline: duration({ min: '1s', max: '7d' }).describe(
    'If the incident is still open this long after the rung started, go to the next rung; after the last rung, page.',
  ),
});

const notifiers = z.array(name()).describe('Notifier names (checked once notifiers exist).');

const roles = z.enum(['liveness', 'readiness', 'startup']);

export const policyMatch = z.strictObject({
  sources: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Signal sources (`probe`, `prometheus` for a prometheus check’s series, `alertmanager`, ...); empty means any. Default `[]`.',
    ),
  matchers: matcherList(
    'Alertmanager matchers on the signal labels (`env="prod"`, `check=~"live.*"`), all must match; regexes are RE2 (as in Alertmanager) and anchored; a missing label is "". Default `[]`.',
  ),
  services: z
    .strictObject({
      names: z.array(name()).default([]).describe('Service names; empty means any. Default `[]`.'),
      matchers: matcherList('Matchers on the Service labels, all must match. Default `[]`.'),
    })
    .optional()
    .describe(
      'Which services: names and label matchers must both hold. Unset means every service (also those not in the config, e.g. from alerts).',
    ),
  roles: z
    .array(roles)
    .min(1)
    .default(POLICY_DEFAULTS.roles)
    .describe(
      'Check roles this policy acts on. Default `[liveness]`: a failing readiness or startup check is not healed unless a policy names its role. Signals without a role (alerts) are not filtered.',
    ),
});

export const policySpec = z
  .strictObject({
    priority: z
      .int()
      .min(-1000)
      .max(1000)
      .default(POLICY_DEFAULTS.priority)
      .describe(
        'Precedence when several policies match one incident: higher first, ties by name (a before b). Exactly one policy decides; the others are recorded as matched with lower precedence. Default 0.',
      ),
    match: policyMatch.default({ sources: [], matchers: [], roles: POLICY_DEFAULTS.roles }),
    when: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A CEL condition over `signal`, `service` and `incident`, type-checked at load (ints are epoch ms). Unset: always.',
      ),
    for: duration({ max: '7d' })
      .default(POLICY_DEFAULTS.for)
      .describe(
        'How long the incident must stay firing before acting (pending -> firing, as in Prometheus). Default `0s`.',
      ),
    count: z
      .strictObject({
        atLeast: z.int().min(1).max(1000).describe('Matching signals needed.'),
        within: duration({ min: '1s', max: '30d' }).describe('The window they must fall in.'),
      })
      .optional()
      .describe('Act only after this many matching signals for the service within a window.'),
    heal: heal.optional().describe('Run one runbook, retrying within the guardrails.'),
    ladder: z
      .array(rung)
      .min(1)
      .optional()
      .describe(
        'An escalation ladder: heavier runbooks in order, each with a deadline; then page.',
      ),
    page: z
      .strictObject({ notifiers: notifiers.min(1) })
      .optional()
      .describe('Page instead of healing.'),
    observe: z.literal(true).optional().describe('Record only.'),
    escalate: z
      .strictObject({ notifiers: notifiers.default([]) })
      .default({ notifiers: [] })
      .describe(
        'Who is paged when healing is not allowed or does not work (breaker open, ladder exhausted, approval expired, blast radius). Default nobody.',
      ),
    maxAttempts: z
      .int()
      .min(1)
      .max(1000)
      .default(POLICY_DEFAULTS.maxAttempts)
      .describe(
        'Retry budget per (service, runbook) within `window`; one more opens the breaker and pages. Default 3.',
      ),
    window: duration({ min: '1s', max: '30d' })
      .default(POLICY_DEFAULTS.window)
      .describe(
        'The breaker window; an open breaker half-opens (one trial) after it. Default `1h`.',
      ),
    cooldown: duration({ max: '1d' })
      .default(POLICY_DEFAULTS.cooldown)
      .describe('Time between the end of one attempt on a service and the next. Default `1m`.'),
    backoff: z
      .strictObject({
        max: duration({ min: '1s', max: '1d' }).describe('The longest wait.'),
      })
      .optional()
      .describe(
        'Double the cooldown after each failed attempt on the service, up to `max` (as kubelet does); reset by a verified success. Unset: no backoff.',
      ),
    maxConcurrent: z
      .int()
      .min(1)
      .max(100000)
      .optional()
      .describe('Heals of this policy in flight at once. Unset: no limit (Settings may set one).'),
    onConcurrencyLimit: z
      .enum(['queue', 'page'])
      .default(POLICY_DEFAULTS.onConcurrencyLimit)
      .describe('At a concurrency limit: wait in line, or page and stop. Default `queue`.'),
    maxUnhealthy: z
      .union([
        z.int().min(0).max(1000000),
        z.string().regex(/^(100|[1-9]?[0-9])%$/, {
          error: 'expected a count or a percentage from 0% to 100%',
        }),
      ])
      .optional()
      .describe(
        'Blast radius (Cluster API maxUnhealthy): above this many unhealthy services among those the policy selects (count, or % rounded down), heal nothing and page once for the group. Unset: no limit.',
      ),
    requireApproval: z
      .strictObject({
        expiresAfter: duration({ min: '1s', max: '7d' })
          .default(POLICY_DEFAULTS.expiresAfter)
          .describe('Unanswered this long, the request expires and mend escalates. Default `15m`.'),
      })
      .optional()
      .describe('Each heal waits for `mend approve ID`.'),
    dryRun: z
      .boolean()
      .default(false)
      .describe(
        'Decide, record, run nothing but the check modes of the runbook’s steps (ansible --check --diff), once per incident. Default false.',
      ),
    shadow: z
      .boolean()
      .default(false)
      .describe(
        'Shadow mode: decisions recorded as "would heal" with the same reasons; nothing runs but the check modes of the runbook’s steps (ansible --check --diff), once per incident, so the incident says what would have changed. Default false.',
      ),
  })
  .superRefine(
    (spec, ctx) => {
      const actions = (['heal', 'ladder', 'page', 'observe'] as const).filter(
        (key) => spec[key] !== undefined,
      );
      if (actions.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: actions.length > 1 ? [actions[1]!] : [],
          message:
            actions.length === 0
              ? 'expected exactly one action (heal, ladder, page, observe), found none'
              : `expected exactly one action (heal, ladder, page, observe), found ${actions.join(' and ')}`,
        });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  // The refinement is invisible to JSON Schema; say it there too, for editors.
  .meta({ oneOf: ['heal', 'ladder', 'page', 'observe'].map((key) => ({ required: [key] })) });

export type PolicySpec = z.output<typeof policySpec>;

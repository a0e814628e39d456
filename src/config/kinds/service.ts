import { z } from 'zod';
import type { CheckSpec, ServiceConfig } from '../config.ts';
import { checkReferences, type ServiceEntry } from '../references.ts';
import type { ValidDocument } from '../valid-document.ts';
import { type DocumentKind, defineDocumentKind } from './document-kind.ts';
import { type EventSelectorSpec, eventSelectorSchema } from './event-selector.ts';
import { type KubernetesTarget, kubernetesTargetSchema } from './kubernetes-target.ts';
import { matcherList, toMatchers } from './matcher.ts';
import { name } from './name.ts';
import { exactlyOneKind, kindFields, type PluggedKind } from './plugged-kind.ts';

export const CHECK_DEFAULTS = {
  role: 'liveness',
  periodSeconds: 10,
  timeoutSeconds: 1,
  failureThreshold: 3,
  successThreshold: 1,
  initialDelaySeconds: 0,
} as const;

/** A check: one probe kind plus Kubernetes probe semantics (same field names and defaults). */
export function checkSchema(probeKinds: readonly PluggedKind[]): z.ZodType<CheckSpec> {
  const check = z.strictObject({
    name: name().describe('Unique within the service.'),
    role: z
      .enum(['liveness', 'readiness', 'startup'])
      .default(CHECK_DEFAULTS.role)
      .describe(
        'As in Kubernetes. While a startup check has not passed, the other checks are not judged.',
      ),
    periodSeconds: z
      .number()
      .positive()
      .max(86400)
      .default(CHECK_DEFAULTS.periodSeconds)
      .describe('How often to probe.'),
    timeoutSeconds: z
      .number()
      .positive()
      .max(3600)
      .default(CHECK_DEFAULTS.timeoutSeconds)
      .describe('A probe that takes longer fails.'),
    failureThreshold: z
      .int()
      .min(1)
      .max(1000)
      .default(CHECK_DEFAULTS.failureThreshold)
      .describe('Consecutive failures before the check turns failing.'),
    successThreshold: z
      .int()
      .min(1)
      .max(1000)
      .default(CHECK_DEFAULTS.successThreshold)
      .describe(
        'Consecutive successes before a failing check turns healthy. Must be 1 for liveness and ' +
          'startup checks, as in Kubernetes.',
      ),
    initialDelaySeconds: z
      .number()
      .min(0)
      .max(86400)
      .default(CHECK_DEFAULTS.initialDelaySeconds)
      .describe('Wait this long after start (or reload) before the first probe.'),
    labels: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra labels on this check’s signals.'),
    ...kindFields(probeKinds, 'probe kind'),
  });
  // The probe keys come from the table, so the inferred type cannot name them: CheckSpec does.
  const oneProbe = exactlyOneKind(check, probeKinds, 'probe');
  // A refinement's copy of a schema loses its .meta: the rules' JSON Schema parts are merged.
  return oneProbe
    .superRefine(successOnce, everyPass)
    .meta({ ...oneProbe.meta(), ...SUCCESS_ONCE_SCHEMA }) as z.ZodType<CheckSpec>;
}

/** Run even when another field is wrong, so one pass reports every problem. */
const everyPass = {
  when: (payload: { value: unknown }) =>
    typeof payload.value === 'object' && payload.value !== null,
};

/** The same rule for editors: a JSON Schema cannot see a zod refinement. */
const SUCCESS_ONCE_SCHEMA = {
  if: { properties: { role: { const: 'readiness' } }, required: ['role'] },
  else: { properties: { successThreshold: { const: 1 } } },
};

/**
 * Kubernetes validation refuses a liveness or startup probe whose successThreshold is not 1: one
 * success ends a startup, and one proves a process alive; only readiness may ask for several in a
 * row before a flapping target gets traffic again. A config copied from a Pod means the same here.
 */
function successOnce(check: { role?: unknown; successThreshold?: unknown }, ctx: z.RefinementCtx) {
  const role = check.role ?? CHECK_DEFAULTS.role;
  if ((role === 'liveness' || role === 'startup') && typeof check.successThreshold === 'number') {
    if (check.successThreshold === 1) return;
    ctx.addIssue({
      code: 'custom',
      path: ['successThreshold'],
      message: `expected 1 for a ${role} check, as in Kubernetes (only readiness checks may ask for several successes in a row)`,
    });
  }
}

export interface ServiceSpec {
  selector: string[];
  events: EventSelectorSpec[];
  prometheus?: string | undefined;
  dependsOn: string[];
  checks: CheckSpec[];
  kubernetes?: KubernetesTarget | undefined;
}

function serviceSpec(probeKinds: readonly PluggedKind[]): z.ZodType<ServiceSpec> {
  return z.strictObject({
    selector: matcherList(
      'Alertmanager matchers (job="checkout", severity=~"page|critical") that select the alerts about this service: each such alert is a signal of it, judged by policies, dependencies and blast radius as a probe’s. Empty: no alert. An alert that several services select goes to the first in config order.',
    ),
    events: z
      .array(eventSelectorSchema)
      .default([])
      .describe(
        'The CloudEvents about this service (POST /api/v1/events): an event that any entry selects is a signal of it, firing until an event of the same source and subject says it is over (`resolvedWhen`). Empty: no event. An event that several services select goes to the first in config order.',
      ),
    prometheus: z
      .url({ protocol: /^https?$/, error: 'expected the http(s) URL of a Prometheus' })
      .optional()
      .describe(
        'The Prometheus that evaluates this service’s alerting rules (`http://127.0.0.1:9090`): a firing alert’s evidence gets its expression’s value now and its last 15 minutes, asked there. Unset: the alert as sent.',
      ),
    dependsOn: z
      .array(name())
      .default([])
      .describe('Services this one needs. While one is unhealthy, heal it, not this one.'),
    checks: z
      .array(checkSchema(probeKinds))
      .default([])
      .describe('How to tell whether the service is healthy.'),
    kubernetes: kubernetesTargetSchema.optional(),
  });
}

/** The Service kind, its checks built from the probe kinds given (src/signals/probes/). */
export function serviceKind(
  probeKinds: readonly PluggedKind[],
): DocumentKind<ServiceSpec, ServiceConfig> {
  return defineDocumentKind({
    kind: 'Service',
    summary: 'A target and failure domain: its labels, its dependencies and its checks.',
    spec: serviceSpec(probeKinds),
    section: 'services',
    positions: (spec: ServiceSpec) => [
      ...spec.dependsOn.map((_, i) => ['spec', 'dependsOn', i]),
      ...spec.checks.map((_, i) => ['spec', 'checks', i, 'name']),
    ],
    build: (document: ValidDocument<ServiceSpec>): ServiceConfig => ({
      name: document.metadata.name,
      labels: document.metadata.labels,
      selector: toMatchers(document.spec.selector),
      events: document.spec.events,
      ...(document.spec.prometheus !== undefined ? { prometheus: document.spec.prometheus } : {}),
      dependsOn: document.spec.dependsOn,
      checks: document.spec.checks,
      ...(document.spec.kubernetes ? { kubernetes: document.spec.kubernetes } : {}),
      source: document.position,
    }),
    crossCheck: (documents: readonly ValidDocument<ServiceSpec>[], context) =>
      checkReferences(
        documents.map(
          (document): ServiceEntry => ({
            name: document.metadata.name,
            dependsOn: document.spec.dependsOn,
            checkNames: document.spec.checks.map((check) => check.name),
            locate: (path) => document.locate(path),
          }),
        ),
        new Set(context.names('Service')),
      ),
  });
}

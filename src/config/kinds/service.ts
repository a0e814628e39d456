import { z } from 'zod';
import { probeKinds } from '../../signals/probes/registry.ts';
import type { DocumentKind } from './document-kind.ts';
import { NAME_PATTERN } from './document-kind.ts';

export const name = () =>
  z.string().max(63).regex(NAME_PATTERN, {
    error: 'expected a name of lowercase letters, digits and "-" (RFC 1123 label)',
  });

export const CHECK_DEFAULTS = {
  role: 'liveness',
  periodSeconds: 10,
  timeoutSeconds: 1,
  failureThreshold: 3,
  successThreshold: 1,
  initialDelaySeconds: 0,
} as const;

const probeFields = Object.fromEntries(
  probeKinds.map((kind) => [
    kind.name,
    (kind.spec as z.ZodType).optional().describe(`${kind.summary} (probe kind \`${kind.name}\`)`),
  ]),
);

/** A check: one probe kind plus Kubernetes probe semantics (same field names and defaults). */
export const checkSpec = z
  .strictObject({
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
      .describe('Consecutive successes before a failing check turns healthy.'),
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
    ...probeFields,
  })
  .superRefine(
    (check, ctx) => {
      const present = probeKinds.filter((kind) => (check as Record<string, unknown>)[kind.name]);
      if (present.length !== 1) {
        const names = probeKinds.map((kind) => kind.name).join(', ');
        ctx.addIssue({
          code: 'custom',
          path: present.length > 1 ? [present[1]!.name] : [],
          message:
            present.length === 0
              ? `expected exactly one probe (${names}), found none`
              : `expected exactly one probe (${names}), found ${present.map((k) => k.name).join(' and ')}`,
        });
      }
    },
    {
      // Run even when a field of the check is wrong, so one pass reports every problem.
      when: (payload) => typeof payload.value === 'object' && payload.value !== null,
    },
  );

export type CheckSpec = z.output<typeof checkSpec>;

export const serviceSpec = z.strictObject({
  dependsOn: z
    .array(name())
    .default([])
    .describe('Services this one needs. While one is unhealthy, heal it, not this one.'),
  checks: z.array(checkSpec).default([]).describe('How to tell whether the service is healthy.'),
});

export type ServiceSpec = z.output<typeof serviceSpec>;

export const serviceKind: DocumentKind<ServiceSpec> = {
  kind: 'Service',
  summary: 'A target and failure domain: its labels, its dependencies and its checks.',
  spec: serviceSpec,
};

/** The probe kind a check uses, and its spec. */
export function probeOf(check: CheckSpec): { kind: string; spec: unknown } {
  for (const kind of probeKinds) {
    const spec = (check as Record<string, unknown>)[kind.name];
    if (spec !== undefined) return { kind: kind.name, spec };
  }
  throw new Error(`check ${check.name} has no probe; the schema should have refused it`);
}

import { z } from 'zod';
import { tableGet } from '../../../policy/table.ts';
import { EpochMs, type RegisterRoutes } from '../route-kit.ts';

const Check = z.strictObject({
  name: z.string(),
  role: z.enum(['liveness', 'readiness', 'startup']),
  status: z.enum(['unknown', 'healthy', 'failing']),
  since: EpochMs.nullable().describe('when the current status began'),
  consecutiveFailures: z.number().int(),
  consecutiveSuccesses: z.number().int(),
  last: z
    .strictObject({
      ok: z.boolean(),
      at: EpochMs,
      durationMs: z.number(),
      error: z.string().optional(),
      status: z.union([z.number(), z.string()]).optional(),
    })
    .nullable()
    .describe('the last probe run'),
});

export const Service = z.strictObject({
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  dependsOn: z.array(z.string()),
  healthy: z.boolean().describe('no signal of it is firing'),
  openIncidents: z.array(z.string()).describe('ids of its open incidents (inc-3)'),
  healing: z.string().nullable().describe('the heal in flight on it'),
  checks: z.array(Check),
});

export const registerServices: RegisterRoutes = (app, context) => {
  app.get(
    '/services',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'Every service in the config, with the state of each check now',
        tags: ['services'],
        response: { 200: z.strictObject({ items: z.array(Service) }) },
      },
    },
    async () => {
      const checks = new Map(context.checks().map((check) => [check.key, check]));
      const state = context.state();
      return {
        items: context.config().services.map((service) => {
          const engine = tableGet(state.services, service.name);
          return {
            name: service.name,
            labels: service.labels,
            dependsOn: service.dependsOn,
            healthy: (engine?.firing ?? 0) === 0,
            openIncidents: engine?.incidents.map((incident) => incident.id) ?? [],
            healing: engine?.busy ?? null,
            checks: service.checks.map((spec) => {
              const now = checks.get(`${service.name}/${spec.name}`)?.state;
              const last = now?.recent.at(-1);
              return {
                name: spec.name,
                role: spec.role,
                status: now?.status ?? 'unknown',
                since: now?.since ?? null,
                consecutiveFailures: now?.consecutiveFailures ?? 0,
                consecutiveSuccesses: now?.consecutiveSuccesses ?? 0,
                last:
                  last === undefined
                    ? null
                    : {
                        ok: last.ok,
                        at: last.startedAt,
                        durationMs: last.durationMs,
                        ...(last.error !== undefined ? { error: last.error } : {}),
                        ...(last.status !== undefined ? { status: last.status } : {}),
                      },
              };
            }),
          };
        }),
      };
    },
  );
};

import { z } from 'zod';
import { listBreakers } from '../../../policy/index.ts';
import { EpochMs, originOf, PathName, problems, type RegisterRoutes } from '../route-kit.ts';
import { AppliedRequest, answerRequest } from './operator-request.ts';

const Breaker = z.strictObject({
  service: z.string(),
  runbook: z.string(),
  state: z.enum(['closed', 'open', 'half-open']),
  attempts: z.array(EpochMs).describe('start times of the heals within the window'),
  openUntil: EpochMs.nullable(),
  trial: z.string().nullable().describe('the half-open trial heal in flight'),
});

export const registerBreakers: RegisterRoutes = (app, context) => {
  app.get(
    '/breakers',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'Every retry budget with attempts in its window or not closed',
        tags: ['breakers'],
        response: { 200: z.strictObject({ items: z.array(Breaker) }) },
      },
    },
    async () => ({ items: listBreakers(context.state()) }),
  );

  app.post(
    '/breakers/:service/reset',
    {
      config: { access: { permission: 'breakers:reset', action: 'breaker.reset' } },
      schema: {
        summary: "Close a service's breakers (every runbook, or only one)",
        description:
          'Recorded and audited, applied by the decision loop, answered with what it did.',
        tags: ['breakers'],
        params: z.strictObject({ service: PathName }),
        body: z
          .strictObject({ runbook: z.string().optional().describe("only this runbook's breaker") })
          .nullish()
          .describe('optional: no body resets every breaker of the service'),
        response: { 200: AppliedRequest, ...problems(409, 503) },
      },
    },
    async (request, reply) => {
      const { service } = request.params;
      const runbook = request.body?.runbook;
      const settled = await context.request(
        {
          at: context.now(),
          actor: request.actor,
          kind: 'breakerReset',
          payload: { service, ...(runbook ? { runbook } : {}) },
        },
        originOf(request),
      );
      return answerRequest(
        reply,
        settled,
        `breaker reset of ${service}${runbook ? ` ${runbook}` : ''}`,
      );
    },
  );
};

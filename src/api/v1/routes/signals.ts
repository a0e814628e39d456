import { z } from 'zod';
import type { StoredSignal } from '../../../store/store.ts';
import {
  describedInPart,
  EpochMs,
  limitParam,
  type RegisterRoutes,
  timeParam,
} from '../route-kit.ts';

export const registerSignals: RegisterRoutes = (app, context) => {
  app.get(
    '/signals',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary:
          'Recorded signals (a check turned failing or healthy), newest first, with evidence',
        tags: ['signals'],
        querystring: z.strictObject({
          service: z.string().optional(),
          since: timeParam(context.now).optional().describe('at or after'),
          until: timeParam(context.now).optional().describe('before'),
          limit: limitParam,
        }),
        response: {
          200: z.strictObject({
            items: z.array(
              describedInPart<StoredSignal>(
                z.looseObject({
                  id: z.number().int(),
                  service: z.string(),
                  status: z.enum(['firing', 'resolved']),
                  at: EpochMs,
                }),
              ),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { service, since, until, limit } = request.query;
      const items = await context.store.listSignals({
        order: 'newest-first',
        limit,
        ...(service !== undefined ? { service } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
      });
      return { items };
    },
  );
};

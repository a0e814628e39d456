import { z } from 'zod';
import type { StoredAuditEntry } from '../../../store/store.ts';
import { type AuditVerification, verifyAuditLog } from '../../../store/verify-audit.ts';
import {
  describedInPart,
  EpochMs,
  limitParam,
  type RegisterRoutes,
  timeParam,
} from '../route-kit.ts';

export const registerAudit: RegisterRoutes = (app, context) => {
  app.get(
    '/audit',
    {
      config: { access: { permission: 'audit:read' } },
      schema: {
        summary: 'The audit log, newest first: every change by API or CLI, every refused attempt',
        tags: ['audit'],
        querystring: z.strictObject({
          since: timeParam(context.now).optional(),
          actor: z.string().optional().describe('token:NAME, cli:USER, anonymous, controller'),
          action: z.string().optional().describe('e.g. breaker.reset (docs/auth.md lists them)'),
          limit: limitParam,
        }),
        response: {
          200: z.strictObject({
            items: z.array(
              describedInPart<StoredAuditEntry>(
                z.looseObject({
                  seq: z.number().int(),
                  at: EpochMs,
                  actor: z.string(),
                  action: z.string(),
                  target: z.string(),
                  result: z.string(),
                  hash: z.string(),
                }),
              ),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { since, actor, action, limit } = request.query;
      return {
        items: await context.store.listAudit({
          order: 'newest-first',
          limit,
          ...(since !== undefined ? { since } : {}),
          ...(actor !== undefined ? { actor } : {}),
          ...(action !== undefined ? { action } : {}),
        }),
      };
    },
  );

  app.get(
    '/audit/verify',
    {
      config: { access: { permission: 'audit:read' } },
      schema: {
        summary: 'Walk the hash chain: the rows that hold, and the first that does not',
        description:
          'What `mend audit verify` does. Keep the head it returns somewhere else: a writer of the store can rewrite the whole chain, and only an exported head shows it (docs/auth.md).',
        tags: ['audit'],
        response: {
          200: describedInPart<AuditVerification>(
            z.looseObject({
              ok: z.boolean(),
              verified: z.number().int(),
              head: z.strictObject({ seq: z.number().int(), hash: z.string() }),
              problem: z.looseObject({}).optional().describe('the first row that does not hold'),
            }),
          ),
        },
      },
    },
    async () => verifyAuditLog(context.store),
  );
};

import { z } from 'zod';
import { AlertIntakeOverloaded } from '../../../decisions/alert-intake.ts';
import { AlertmanagerPayload } from '../../../signals/sources/alertmanager-payload.ts';
import type { AlertRecord } from '../../../store/store.ts';
import { sendProblem } from '../../problem.ts';
import {
  describedInPart,
  EpochMs,
  limitParam,
  problems,
  type RegisterRoutes,
} from '../route-kit.ts';

/**
 * An Alertmanager delivery holds up to a few thousand alerts (its `max_alerts`, 0 = all): far more
 * than the API's other bodies, still bounded.
 */
export const ALERTS_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

const Delivered = z.strictObject({
  received: z.int().describe('alerts in the payload, every one durably recorded'),
  stale: z.int().describe('older than what mend holds for their fingerprint: nothing changed'),
  unmatched: z.int().describe('selected by no Service: recorded, listed, not judged'),
  signals: z.int().describe('signals handed to the decision loop, recorded with their decisions'),
});

export const registerAlerts: RegisterRoutes = (app, context) => {
  app.post(
    '/alerts/alertmanager',
    {
      bodyLimit: ALERTS_BODY_LIMIT_BYTES,
      config: { access: { permission: 'alerts:ingest', action: 'alerts.ingest' } },
      schema: {
        summary: 'Alertmanager webhook receiver (payload version 4): each alert becomes a signal',
        description:
          'Point an Alertmanager `webhook_configs` receiver here with an `ingest` token in `http_config.authorization`. Answers 200 only once every alert, and every signal it makes, is durably recorded; 503 with Retry-After when overloaded (Alertmanager retries). Re-sends and HA peers’ copies are idempotent.',
        tags: ['alerts'],
        body: AlertmanagerPayload,
        response: { 200: Delivered, ...problems(503) },
      },
    },
    async (request, reply) => {
      try {
        return await context.ingestAlerts(request.body);
      } catch (error) {
        if (!(error instanceof AlertIntakeOverloaded)) throw error;
        reply.header('retry-after', String(error.retryAfterSeconds));
        return sendProblem(reply, 503, error.message);
      }
    },
  );

  app.get(
    '/alerts',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'Alerts received, the latest state of each, newest received first',
        description:
          'Every alert Alertmanager posted, including those no Service selects (`unmatched=true`).',
        tags: ['alerts'],
        querystring: z.strictObject({
          service: z.string().optional(),
          unmatched: z
            .enum(['true', 'false'])
            .optional()
            .describe('true: only the alerts no Service selects'),
          status: z.enum(['firing', 'resolved']).optional(),
          limit: limitParam,
        }),
        response: {
          200: z.strictObject({
            items: z.array(
              describedInPart<AlertRecord>(
                z.looseObject({
                  fingerprint: z.string(),
                  status: z.enum(['firing', 'resolved']),
                  service: z.string().optional(),
                  labels: z.record(z.string(), z.string()),
                  receivedAt: EpochMs,
                }),
              ),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { service, unmatched, status, limit } = request.query;
      const items = await context.store.listAlerts({
        limit,
        ...(service !== undefined ? { service } : {}),
        ...(unmatched === 'true' ? { unmatched: true } : {}),
        ...(status !== undefined ? { status } : {}),
      });
      return { items };
    },
  );
};

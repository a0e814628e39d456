import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { loadReportRecords } from '../../../incidents/load.ts';
import { buildReport, type Report } from '../../../incidents/report.ts';
import { buildReportSeries, type ReportSeries } from '../../../incidents/report-series.ts';
import { sendProblem } from '../../problem.ts';
import {
  atTime,
  describedInPart,
  momentParam,
  problems,
  type RegisterRoutes,
} from '../route-kit.ts';

const DAY_MS = 86_400_000;

export const registerReport: RegisterRoutes = (app, context) => {
  const querystring = z.strictObject({
    since: momentParam().optional().describe('incidents opened since; default 7d'),
    until: momentParam().optional().describe('and before; default now'),
  });
  /** The window asked for (default: the last 7 days); undefined when it runs backwards. */
  const windowOf = (query: z.output<typeof querystring>) => {
    // One reading of the clock: `since=24h` with no `until` is exactly 24 h.
    const now = context.now();
    const until = query.until === undefined ? now : atTime(query.until, now);
    const since = query.since === undefined ? until - 7 * DAY_MS : atTime(query.since, now);
    return since > until ? undefined : { since, until };
  };
  const backwards = (reply: FastifyReply) =>
    sendProblem(reply, 400, 'since is after until: give since earlier than until');

  app.get(
    '/report',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'What healing did over a window',
        description:
          'What `mend report --json` prints: heals per service and runbook, success rate, time to recover, chronic services, pages, shadow-mode decisions next to what happened.',
        tags: ['report'],
        querystring,
        response: {
          200: describedInPart<Report>(z.looseObject({ since: z.number(), until: z.number() })),
          ...problems(400),
        },
      },
    },
    async (request, reply) => {
      const window = windowOf(request.query);
      if (window === undefined) return backwards(reply);
      return buildReport(await loadReportRecords(context.store, window), window);
    },
  );

  app.get(
    '/report/trends',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'The report, and its figures over time',
        description:
          'The same incidents as `/report` (those opened in the window), read once: `report` is what `/report` answers, `series` counts per bucket of the window (1m to 7d, at most 60 buckets): heals per service and runbook, their outcomes and success rate, chronic flags, shadow-mode decisions next to what happened, and the time-to-recover distribution. The dashboard draws its Trends page from it.',
        tags: ['report'],
        querystring,
        response: {
          200: z.strictObject({
            report: describedInPart<Report>(
              z.looseObject({ since: z.number(), until: z.number() }),
            ),
            series: describedInPart<ReportSeries>(
              z.looseObject({
                bucketMs: z.number().int(),
                buckets: z.array(z.number()).describe('each bucket start, epoch ms'),
              }),
            ),
          }),
          ...problems(400),
        },
      },
    },
    async (request, reply) => {
      const window = windowOf(request.query);
      if (window === undefined) return backwards(reply);
      const records = await loadReportRecords(context.store, window);
      return { report: buildReport(records, window), series: buildReportSeries(records, window) };
    },
  );
};

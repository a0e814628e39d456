import { z } from 'zod';
import { loadIncidentRecords } from '../../../incidents/load.ts';
import { buildReport, type Report } from '../../../incidents/report.ts';
import { sendProblem } from '../../problem.ts';
import { describedInPart, problems, type RegisterRoutes, timeParam } from '../route-kit.ts';

const DAY_MS = 86_400_000;

export const registerReport: RegisterRoutes = (app, context) => {
  app.get(
    '/report',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'What healing did over a window',
        description:
          'What `mend report --json` prints: heals per service and runbook, success rate, time to recover, chronic services, pages, shadow-mode decisions next to what happened.',
        tags: ['report'],
        querystring: z.strictObject({
          since: timeParam(context.now).optional().describe('incidents opened since; default 7d'),
          until: timeParam(context.now).optional().describe('and before; default now'),
        }),
        response: {
          200: describedInPart<Report>(z.looseObject({ since: z.number(), until: z.number() })),
          ...problems(400),
        },
      },
    },
    async (request, reply) => {
      const until = request.query.until ?? context.now();
      const since = request.query.since ?? until - 7 * DAY_MS;
      if (since > until) {
        return sendProblem(reply, 400, 'since is after until: give since earlier than until');
      }
      const incidents = await context.store.listIncidents({ since, until: until + 1 });
      const records = await loadIncidentRecords(context.store, incidents, { journal: false });
      return buildReport(records, { since, until });
    },
  );
};

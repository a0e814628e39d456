import { z } from 'zod';
import { parseDuration } from '../../../config/kinds/duration.ts';
import { parseMatcher } from '../../../config/kinds/matcher.ts';
import { activeAndComing } from '../../../decisions/silence-list.ts';
import { sendProblem } from '../../problem.ts';
import { EpochMs, originOf, PathName, problems, type RegisterRoutes } from '../route-kit.ts';
import { AppliedRequest, answerRequest } from './operator-request.ts';

const Silence = z.strictObject({
  id: z.string().describe('sil-N for one added while mend runs; the name for a config one'),
  matchers: z.array(z.string()),
  startsAt: EpochMs,
  endsAt: EpochMs,
  comment: z.string(),
  createdBy: z.string(),
  source: z.string().optional().describe('the config file, for a silence defined there'),
});

const Matcher = z.string().superRefine((text, ctx) => {
  const parsed = parseMatcher(text);
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
});

const NewSilence = z
  .strictObject({
    matchers: z.array(Matcher).min(1).max(20).describe('Alertmanager matchers: service="db"'),
    startsAt: EpochMs.optional().describe('default: now'),
    endsAt: EpochMs.optional(),
    duration: z
      .string()
      .optional()
      .describe('how long from the start (30m, 2h, 1d): give this or endsAt'),
    comment: z.string().min(1).max(1000).describe('why: the timeline and the reasons say it'),
  })
  .refine((body) => (body.endsAt === undefined) !== (body.duration === undefined), {
    message: 'give exactly one of endsAt and duration',
  })
  .refine((body) => body.duration === undefined || parseDuration(body.duration) !== undefined, {
    message: 'duration: expected a duration such as 30m, 2h or 1d',
    path: ['duration'],
  });

export const registerSilences: RegisterRoutes = (app, context) => {
  app.get(
    '/silences',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'Active and coming silences: the config’s and those added while mend runs',
        tags: ['silences'],
        response: { 200: z.strictObject({ items: z.array(Silence) }) },
      },
    },
    async () => ({ items: activeAndComing(context.config(), context.state(), context.now()) }),
  );

  app.post(
    '/silences',
    {
      config: { access: { permission: 'silences:write', action: 'silence.create' } },
      schema: {
        summary: 'Silence what the matchers select: recorded, nothing done, until it ends',
        description:
          'Recorded and audited, applied by the decision loop, answered with what it did. The new silence is `sil-<request>`.',
        tags: ['silences'],
        body: NewSilence,
        response: {
          200: AppliedRequest.extend({ id: z.string().describe('the new silence: sil-N') }),
          ...problems(409, 503),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const startsAt = body.startsAt ?? context.now();
      const endsAt = body.endsAt ?? startsAt + parseDuration(body.duration!)!;
      const settled = await context.request(
        {
          at: context.now(),
          actor: request.actor,
          kind: 'silence',
          payload: { matchers: body.matchers, startsAt, endsAt, comment: body.comment },
        },
        originOf(request),
      );
      if (settled.status !== 'applied') {
        return answerRequest(reply, settled, `silence of ${body.matchers.join(' ')}`);
      }
      return reply.send({
        request: settled.id,
        status: 'applied' as const,
        at: settled.settledAt ?? settled.at,
        inputSeq: settled.inputSeq ?? 0,
        id: `sil-${settled.id}`,
      });
    },
  );

  app.post(
    '/silences/:id/expire',
    {
      config: { access: { permission: 'silences:write', action: 'silence.expire' } },
      schema: {
        summary: 'End a silence added while mend runs, now; what it held is judged again',
        tags: ['silences'],
        params: z.strictObject({ id: PathName }),
        response: { 200: AppliedRequest, ...problems(409, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!/^sil-\d+$/.test(id) && context.config().silences.some((s) => s.name === id)) {
        return sendProblem(reply, 409, `silence ${id} is defined in the config: edit it there`);
      }
      const settled = await context.request(
        {
          at: context.now(),
          actor: request.actor,
          kind: 'silenceExpire',
          payload: { silenceId: id },
        },
        originOf(request),
      );
      return answerRequest(reply, settled, `expiry of silence ${id}`);
    },
  );
};

import { z } from 'zod';
import { type IncidentView, incidentView } from '../../../incidents/incident-view.ts';
import type { IncidentTree } from '../../../incidents/links.ts';
import { loadIncidentRecords } from '../../../incidents/load.ts';
import { loadIncidentTree } from '../../../incidents/load-tree.ts';
import { renderMarkdown } from '../../../incidents/render-markdown.ts';
import { summarize } from '../../../incidents/summary.ts';
import { findIncident, PHASES } from '../../../policy/index.ts';
import { sendProblem } from '../../problem.ts';
import {
  describedInPart,
  EpochMs,
  limitParam,
  problems,
  type RegisterRoutes,
  timeParam,
} from '../route-kit.ts';

const IncidentSummary = z.strictObject({
  id: z.string().describe('the incident id, inc-N'),
  service: z.string(),
  status: z.enum(['open', 'resolved']),
  openedAt: EpochMs,
  resolvedAt: EpochMs.nullable(),
  durationMs: z.number().int().describe('until resolved, or until now while open'),
  attempts: z.number().int().describe('heals decided'),
  chronic: z.boolean(),
  title: z.string(),
  phase: z
    .enum(PHASES)
    .nullable()
    .describe('where the decision loop has it now (open incidents; null once resolved)'),
});

const IncidentId = z.strictObject({
  id: z.string().regex(/^inc-\d+$/, 'an incident id is inc-N, as the list gives it'),
});

export const registerIncidents: RegisterRoutes = (app, context) => {
  app.get(
    '/incidents',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'Incidents, newest first, a page at a time',
        description:
          'Filters combine. `next` is the cursor of the following page (pass it as `cursor`), null on the last page.',
        tags: ['incidents'],
        querystring: z.strictObject({
          status: z.enum(['open', 'resolved']).optional(),
          service: z.string().optional(),
          since: timeParam(context.now).optional().describe('opened at or after'),
          limit: limitParam,
          cursor: z.string().optional().describe('`next` of the page before'),
        }),
        response: {
          200: z.strictObject({ items: z.array(IncidentSummary), next: z.string().nullable() }),
        },
      },
    },
    async (request, reply) => {
      const { status, service, since, limit, cursor } = request.query;
      let found: Awaited<ReturnType<typeof context.store.listIncidents>>;
      try {
        found = await context.store.listIncidents({
          order: 'newest-first',
          limit: limit + 1,
          ...(status ? { status } : {}),
          ...(service !== undefined ? { service } : {}),
          ...(since !== undefined ? { since } : {}),
          ...(cursor !== undefined ? { after: cursor } : {}),
        });
      } catch (err) {
        if (err instanceof RangeError) {
          return sendProblem(
            reply,
            400,
            `cursor ${JSON.stringify(cursor)} names no incident: pass the \`next\` of a page`,
          );
        }
        throw err;
      }
      const page = found.slice(0, limit);
      const now = context.now();
      const items = [];
      for (const incident of page) {
        const full = await context.store.getIncident(incident.id);
        if (full === undefined) continue;
        const engine = findIncident(context.state(), full.service, full.id);
        items.push({ ...summarize(full, now), phase: engine?.phase ?? null });
      }
      return { items, next: found.length > limit ? (page.at(-1)?.id ?? null) : null };
    },
  );

  app.get(
    '/incidents/:id',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'One incident with everything recorded about it',
        description:
          'What `mend incidents show ID --format json` prints: timeline, signals with their evidence, decisions with their reasons, commands, heals with their steps, approvals, figures.',
        tags: ['incidents'],
        params: IncidentId,
        response: {
          200: describedInPart<IncidentView>(
            z.looseObject({
              id: z.string(),
              service: z.string(),
              status: z.enum(['open', 'resolved']),
            }),
          ),
          ...problems(404),
        },
      },
    },
    async (request, reply) => {
      const view = await viewOf(request.params.id);
      if (view === undefined) return noIncident(reply, request.params.id);
      return view;
    },
  );

  app.get(
    '/incidents/:id/report',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'The post-incident report of one incident, in Markdown',
        description: 'What `mend incidents show ID --format md` prints, to paste into a review.',
        tags: ['incidents'],
        params: IncidentId,
        produces: ['text/markdown'],
      },
    },
    async (request, reply) => {
      const view = await viewOf(request.params.id);
      if (view === undefined) return noIncident(reply, request.params.id);
      return reply.type('text/markdown; charset=utf-8').send(renderMarkdown(view));
    },
  );

  app.get(
    '/incidents/:id/tree',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'The linked incidents around one, as a tree',
        description:
          'While a dependency is down, the incidents of its dependents are held by its incident (linked). `top` is the incident that holds the others and is held by none (the root cause as mend saw it); each node names its `dependents` and how it was `held` (through which dependency, from when until when). `focus` is the incident asked about.',
        tags: ['incidents'],
        params: IncidentId,
        response: {
          200: describedInPart<IncidentTree>(
            z.looseObject({
              focus: z.string(),
              top: z.looseObject({ id: z.string(), dependents: z.array(z.looseObject({})) }),
              size: z.number().int(),
              truncated: z.boolean(),
            }),
          ),
          ...problems(404),
        },
      },
    },
    async (request, reply) => {
      const tree = await loadIncidentTree(context.store, request.params.id);
      if (tree === undefined) return noIncident(reply, request.params.id);
      return tree;
    },
  );

  async function viewOf(id: string) {
    const incident = await context.store.getIncident(id);
    if (incident === undefined) return undefined;
    const [record] = await loadIncidentRecords(context.store, [incident], { journal: true });
    return record === undefined ? undefined : incidentView(record);
  }

  function noIncident(reply: Parameters<typeof sendProblem>[0], id: string) {
    return sendProblem(reply, 404, `no incident ${id}: GET /api/v1/incidents lists them`);
  }
};

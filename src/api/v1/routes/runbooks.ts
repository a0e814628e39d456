import { z } from 'zod';
import { runRows, stepRuns } from '../../../incidents/steps.ts';
import type { Command, HealCommand, Reason } from '../../../policy/index.ts';
import { sendProblem } from '../../problem.ts';
import {
  describedInPart,
  EpochMs,
  originOf,
  PathName,
  problems,
  type RegisterRoutes,
} from '../route-kit.ts';
import { answerRequest } from './operator-request.ts';

const RunbookSummary = z.strictObject({
  name: z.string(),
  params: z
    .record(z.string(), z.strictObject({ type: z.string(), required: z.boolean() }))
    .describe('what `params` of a run may hold'),
  steps: z.array(z.string()).describe('step names, in order'),
});

const NewRun = z.strictObject({
  service: PathName.describe('the Service to act on'),
  params: z
    .record(z.string().max(200), z.string().max(10_000))
    .optional()
    .describe('runbook params as text, typed and checked by the runbook (as `--param k=v`)'),
});

const RunStarted = z.strictObject({
  request: z.number().int().describe('the operator request id (audited with it)'),
  status: z.literal('applied'),
  at: EpochMs,
  inputSeq: z.number().int().describe('the recorded input that started it'),
  incident: z.string().describe('the incident the run is recorded as'),
  run: z.string().describe('the run id: GET /api/v1/runs/{run} reads its steps'),
});

const RunId = z.strictObject({
  run: z
    .string()
    .regex(/^inc-\d+:heal:\d+$/, 'a run id is inc-N:heal:M, as a heal command or a run gives it'),
});

/** A heal's journal, read back: what it set out to do, how it ended, its steps. */
interface RunView {
  run: string;
  incident: string;
  status: 'planned' | 'running' | 'succeeded' | 'failed' | 'unknown';
  intent: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  steps: ReturnType<typeof stepRuns>;
}

export const registerRunbooks: RegisterRoutes = (app, context) => {
  app.get(
    '/runbooks',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'The runbooks of the config, with the params a run may give',
        tags: ['runbooks'],
        response: { 200: z.strictObject({ items: z.array(RunbookSummary) }) },
      },
    },
    async () => ({
      items: context.config().runbooks.map((runbook) => ({
        name: runbook.name,
        params: Object.fromEntries(
          Object.entries(runbook.params).map(([name, spec]) => [
            name,
            { type: spec.type, required: spec.default === undefined },
          ]),
        ),
        steps: runbook.steps.map((step) => step.name),
      })),
    }),
  );

  app.post(
    '/runbooks/:runbook/runs',
    {
      config: { access: { permission: 'runbooks:run', action: 'runbook.run' } },
      schema: {
        summary: 'Run a runbook by hand on a service, now',
        description:
          'Recorded and audited with the caller as actor, applied by the decision loop as an incident of its own that heals now (one heal per service at a time still holds: 409 while one runs), journaled step by step like any heal. Answered once it has started; follow it with GET /runs/{run} or the stream.',
        tags: ['runbooks'],
        params: z.strictObject({ runbook: PathName }),
        body: NewRun,
        response: { 201: RunStarted, ...problems(409, 503) },
      },
    },
    async (request, reply) => {
      const { runbook } = request.params;
      const { service, params = {} } = request.body;
      const settled = await context.request(
        {
          at: context.now(),
          actor: request.actor,
          kind: 'runbookRun',
          payload: { service, runbook, params },
        },
        originOf(request),
      );
      const what = `run of ${runbook} on ${service}`;
      if (settled.status !== 'applied' || settled.inputSeq === undefined) {
        return answerRequest(reply, settled, what);
      }
      const [decision] = await context.store.listDecisions({
        afterSeq: settled.inputSeq - 1,
        limit: 1,
      });
      // Recorded by this engine: its commands and reasons, as data.
      const commands = (decision?.decision.commands ?? []) as readonly Command[];
      const heal = commands.find((command): command is HealCommand => command.kind === 'heal');
      if (heal === undefined) {
        // The engine said why (a heal raced it onto the service); the decision record has it.
        const reasons = (decision?.decision.reasons ?? []) as readonly Reason[];
        const why = reasons.at(-1)?.message ?? 'the engine started no heal';
        return sendProblem(reply, 409, `${what}: not started: ${why}`, { request: settled.id });
      }
      return reply
        .code(201)
        .header('location', `/api/v1/runs/${heal.id}`)
        .send({
          request: settled.id,
          status: 'applied' as const,
          at: settled.settledAt ?? settled.at,
          inputSeq: settled.inputSeq,
          incident: heal.incidentId,
          run: heal.id,
        });
    },
  );

  app.get(
    '/runs/:run',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'One runbook run (a heal, or a run by hand): its intent, result and steps',
        description:
          'The run journal as recorded, step by step: each step with its command, status, exit code, duration, error and (bounded, redacted) output.',
        tags: ['runbooks'],
        params: RunId,
        response: {
          200: describedInPart<RunView>(
            z.looseObject({
              run: z.string(),
              incident: z.string(),
              status: z.enum(['planned', 'running', 'succeeded', 'failed', 'unknown']),
            }),
          ),
          ...problems(404),
        },
      },
    },
    async (request, reply) => {
      const { run } = request.params;
      const incident = run.slice(0, run.indexOf(':heal:'));
      const commands = await context.store.listCommands({ incidentId: incident });
      const command = commands.find((c) => c.id === run);
      if (command === undefined) {
        return sendProblem(
          reply,
          404,
          `no run ${run}: GET /api/v1/incidents/${incident} lists the heals of that incident`,
        );
      }
      const journal = await context.store.listJournal(run);
      const rows = runRows(journal);
      const outcome = rows.result?.outcome;
      const view: RunView = {
        run,
        incident,
        status:
          outcome === 'succeeded' || outcome === 'failed' || outcome === 'unknown'
            ? outcome
            : rows.intent
              ? 'running'
              : 'planned',
        intent: rows.intent,
        result: rows.result,
        steps: stepRuns(journal),
      };
      return view;
    },
  );
};

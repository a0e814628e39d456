import { z } from 'zod';
import type { ExternalRun } from '../journal.ts';
import { renderText } from '../render.ts';
import { fieldAt } from './http-poll.ts';
import type { OutgoingRequest } from './http-send.ts';
import {
  definePipelineKind,
  type FollowPace,
  follow,
  followFields,
  followPace,
  runEnded,
  type Stage,
  sendStart,
  startRefused,
} from './pipeline-follow.ts';
import {
  apiBase,
  apiToken,
  commandIdLeftToMend,
  NAME,
  oneLine,
  renderValues,
  runValues,
  tokenOf,
  under,
} from './pipeline-spec.ts';
import type { StepContext } from './step-kind.ts';

/** A pipeline's statuses that are final (GitLab's Pipelines API); `success` alone passes. */
const FINAL = new Set(['success', 'failed', 'canceled', 'skipped']);

export const gitlabPipelineSpec = z
  .strictObject({
    api: apiBase('The API', 'https://gitlab.example.com/api/v4')
      .default('https://gitlab.com/api/v4')
      .describe(
        'The API: default `https://gitlab.com/api/v4`; self-managed: `https://HOST/api/v4`. No templates.',
      ),
    project: z
      .string()
      .regex(/^([0-9]+|[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+)$/, {
        error: 'expected a project id (42) or path (group/project)',
      })
      .describe(
        'The project: its id (`42`) or its path (`group/project`, sent URL-encoded). No templates.',
      ),
    ref: z
      .string()
      .min(1)
      .describe('The branch or tag to run the pipeline for (templates allowed).'),
    variables: runValues('CI/CD variable'),
    commandIdVariable: z
      .string()
      .regex(NAME)
      .default('MEND_COMMAND_ID')
      .describe(
        'The variable that carries the command id (`inc-7:heal:1:steps:0:1`). Default `MEND_COMMAND_ID`.',
      ),
    token: apiToken(
      'An access token with the `api` scope (or `read_api` with a trigger token), sent as `PRIVATE-TOKEN`: it reads the pipeline, and creates it when no trigger token is given',
    ),
    triggerToken: apiToken(
      'A pipeline trigger token: when given, the pipeline is started through the trigger API (`POST /projects/:id/trigger/pipeline`)',
    ).optional(),
    ...followFields,
  })
  .superRefine(commandIdLeftToMend('variables', 'commandIdVariable', 'variable'));

interface PreparedGitlab {
  api: string;
  project: string;
  ref: string;
  variables: Record<string, string>;
  commandIdVariable: string;
  token: string;
  triggerToken: string | undefined;
  pace: FollowPace;
}

export const gitlabPipelineStep = definePipelineKind({
  name: 'gitlabPipeline',
  summary:
    'Starts a GitLab CI pipeline (the trigger API or the Pipelines API, the command id as a variable), journals its id, and follows it to a final status.',
  spec: gitlabPipelineSpec,
  prepare: (spec, ctx): PreparedGitlab => ({
    api: spec.api,
    project: spec.project,
    ref: oneLine(renderText(spec.ref, ctx.values, 'ref'), 'ref'),
    variables: renderValues(spec.variables, ctx, 'variables'),
    commandIdVariable: spec.commandIdVariable,
    token: tokenOf(spec.token, ctx, 'token'),
    triggerToken:
      spec.triggerToken === undefined ? undefined : tokenOf(spec.triggerToken, ctx, 'triggerToken'),
    pace: followPace(spec),
  }),
  statusName: 'status',
  summarize: (c) =>
    `start a GitLab pipeline of ${c.project} at ${c.ref}${Object.keys(c.variables as object).length ? ` with variables ${JSON.stringify(c.variables)}` : ''}, then follow it`,
  describe: (p) => ({
    method: 'POST',
    url: startUrl(p).href,
    project: p.project,
    ref: p.ref,
    variables: p.variables,
    commandIdVariable: p.commandIdVariable,
    through:
      p.triggerToken === undefined
        ? 'pipelines API (PRIVATE-TOKEN)'
        : 'trigger API (trigger token)',
  }),
  advance,
});

function projectPath(p: PreparedGitlab): string {
  return `/projects/${encodeURIComponent(p.project)}`;
}

function startUrl(p: PreparedGitlab): URL {
  return under(
    p.api,
    `${projectPath(p)}${p.triggerToken === undefined ? '/pipeline' : '/trigger/pipeline'}`,
  );
}

async function advance(
  p: PreparedGitlab,
  last: ExternalRun | undefined,
  ctx: StepContext,
): Promise<Stage> {
  return last === undefined ? start(p, ctx) : followPipeline(p, last, ctx);
}

/**
 * The trigger API takes form fields (`token`, `ref`, `variables[KEY]`); the Pipelines API a JSON
 * body (`ref`, `variables: [{key, value}]`) with PRIVATE-TOKEN. Both answer 201 with the pipeline.
 */
function startRequest(p: PreparedGitlab, commandId: string): OutgoingRequest {
  const variables = { ...p.variables, [p.commandIdVariable]: commandId };
  if (p.triggerToken !== undefined) {
    const form = new URLSearchParams({ token: p.triggerToken, ref: p.ref });
    for (const [key, value] of Object.entries(variables)) form.append(`variables[${key}]`, value);
    return {
      method: 'POST',
      url: startUrl(p),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    };
  }
  return {
    method: 'POST',
    url: startUrl(p),
    headers: { 'private-token': p.token, 'content-type': 'application/json' },
    body: JSON.stringify({
      ref: p.ref,
      variables: Object.entries(variables).map(([key, value]) => ({ key, value })),
    }),
  };
}

async function start(p: PreparedGitlab, ctx: StepContext): Promise<Stage> {
  const request = startRequest(p, ctx.key);
  const answer = await sendStart(request, p.pace, ctx);
  const refused = startRefused(request, answer, [201, 200]);
  if (refused || 'error' in answer) return refused!;
  let pipeline: unknown;
  try {
    pipeline = JSON.parse(answer.body);
  } catch {
    pipeline = undefined;
  }
  const id = fieldAt(pipeline, ['id']);
  if (typeof id !== 'number') {
    return {
      result: {
        ok: false,
        status: answer.status,
        error: `${request.method} ${request.url.href}: status ${answer.status} without a pipeline id: the pipeline may have started; see the project's pipelines`,
      },
    };
  }
  const web = fieldAt(pipeline, ['web_url']);
  return {
    next: {
      system: 'gitlab',
      stage: 'pipeline',
      id,
      ...(typeof web === 'string' ? { url: web } : {}),
      commandId: ctx.key,
    },
  };
}

async function followPipeline(
  p: PreparedGitlab,
  last: ExternalRun,
  ctx: StepContext,
): Promise<Stage> {
  const url = under(p.api, `${projectPath(p)}/pipelines/${encodeURIComponent(String(last.id))}`);
  const done = await follow<string>(
    { method: 'GET', url, headers: { 'private-token': p.token } },
    (doc) => {
      const status = fieldAt(doc, ['status']);
      return typeof status === 'string' && FINAL.has(status)
        ? { done: status }
        : { state: `status was ${JSON.stringify(status)}` };
    },
    p.pace,
    ctx,
  );
  const link = last.url ?? url.href;
  return runEnded(
    {
      what: `pipeline ${last.id}`,
      head: `GitLab pipeline ${last.id} of ${p.project} (${p.ref}): ${link}`,
      link,
      data: { pipeline: last.id },
      passes: 'success',
      verb: 'ended',
      says: (status) => `status ${status}`,
      field: 'status',
    },
    done,
  );
}

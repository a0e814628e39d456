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
  runReport,
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

export const githubWorkflowSpec = z
  .strictObject({
    api: apiBase('The REST API', 'https://github.example.com/api/v3')
      .default('https://api.github.com')
      .describe(
        'The REST API: default `https://api.github.com`; GitHub Enterprise Server: `https://HOST/api/v3`. No templates.',
      ),
    repository: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'expected OWNER/REPO' })
      .describe('The repository, `OWNER/REPO`. No templates.'),
    workflow: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected a workflow file name (redeploy.yml) or id' })
      .describe(
        'The workflow: its file name (`redeploy.yml`) or id. It must have `on: workflow_dispatch`.',
      ),
    ref: z
      .string()
      .min(1)
      .describe('The branch or tag to run the workflow on (templates allowed).'),
    inputs: runValues('workflow input'),
    commandIdInput: z.string().regex(NAME).default('mend_command_id').describe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub's expression syntax, shown as text
      'The input that carries the command id (`inc-7:heal:1:steps:0:1`), by which mend finds the run it started: the workflow declares it and shows it in its `run-name` (`run-name: "redeploy ${{ inputs.mend_command_id }}"`). Default `mend_command_id`.',
    ),
    token: apiToken(
      'The token (a fine-grained token or GitHub App token with Actions read and write): sent as `Authorization: Bearer`',
    ),
    ...followFields,
  })
  .superRefine(commandIdLeftToMend('inputs', 'commandIdInput', 'input'));

export type GithubWorkflowSpec = z.output<typeof githubWorkflowSpec>;

interface PreparedGithub {
  api: string;
  repository: string;
  workflow: string;
  ref: string;
  inputs: Record<string, string>;
  commandIdInput: string;
  token: string;
  pace: FollowPace;
}

/** Pinned: the version of the REST API whose shapes this kind reads. */
const API_VERSION = '2022-11-28';

export const githubWorkflowStep = definePipelineKind({
  name: 'githubWorkflow',
  summary:
    'Starts a GitHub Actions workflow (workflow_dispatch with the command id as an input), finds the run it created, journals it, and follows it to its conclusion.',
  spec: githubWorkflowSpec,
  prepare(spec, ctx): PreparedGithub {
    const inputs = renderValues(spec.inputs, ctx, 'inputs');
    return {
      api: spec.api,
      repository: spec.repository,
      workflow: spec.workflow,
      ref: oneLine(renderText(spec.ref, ctx.values, 'ref'), 'ref'),
      inputs,
      commandIdInput: spec.commandIdInput,
      token: tokenOf(spec.token, ctx, 'token'),
      pace: followPace(spec),
    };
  },
  statusName: 'conclusion',
  summarize: (c) =>
    `start GitHub Actions workflow ${c.workflow} on ${c.repository} at ${c.ref}${Object.keys(c.inputs as object).length ? ` with inputs ${JSON.stringify(c.inputs)}` : ''}, then follow its run`,
  describe: (p) => ({
    method: 'POST',
    url: dispatchUrl(p).href,
    repository: p.repository,
    workflow: p.workflow,
    ref: p.ref,
    inputs: p.inputs,
    commandIdInput: p.commandIdInput,
    headers: { ...headers(p, '[secret]') },
  }),
  advance,
});

function headers(p: PreparedGithub, token = p.token): Record<string, string> {
  return {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${token}`,
    'x-github-api-version': API_VERSION,
    'user-agent': 'mend', // GitHub refuses a request without one
  };
}

function repoPath(p: PreparedGithub): string {
  const [owner, repo] = p.repository.split('/') as [string, string];
  return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
}

function dispatchUrl(p: PreparedGithub): URL {
  return under(
    p.api,
    `${repoPath(p)}/actions/workflows/${encodeURIComponent(p.workflow)}/dispatches`,
  );
}

/** Where the step is: nothing started, dispatched (its run not found yet), or following a run. */
async function advance(
  p: PreparedGithub,
  last: ExternalRun | undefined,
  ctx: StepContext,
): Promise<Stage> {
  if (last === undefined) return dispatch(p, ctx);
  if (last.stage === 'dispatched') return findRun(p, last, ctx);
  return followRun(p, last, ctx);
}

async function dispatch(p: PreparedGithub, ctx: StepContext): Promise<Stage> {
  const request: OutgoingRequest = {
    method: 'POST',
    url: dispatchUrl(p),
    headers: { ...headers(p), 'content-type': 'application/json' },
    body: JSON.stringify({ ref: p.ref, inputs: { ...p.inputs, [p.commandIdInput]: ctx.key } }),
  };
  const answer = await sendStart(request, p.pace, ctx);
  const refused = startRefused(request, answer, [204, 200]);
  if (refused) return refused;
  return { next: { system: 'github', stage: 'dispatched', commandId: ctx.key } };
}

/**
 * The run the dispatch created: listed for the workflow, event workflow_dispatch, the branch,
 * created since a minute before the dispatch (clocks differ); the one whose run-name holds the
 * command id. GitHub lists a new run a few seconds after the dispatch: asked again until then.
 */
async function findRun(p: PreparedGithub, last: ExternalRun, ctx: StepContext): Promise<Stage> {
  const url = under(
    p.api,
    `${repoPath(p)}/actions/workflows/${encodeURIComponent(p.workflow)}/runs`,
  );
  url.searchParams.set('event', 'workflow_dispatch');
  url.searchParams.set('branch', p.ref.replace(/^refs\/heads\//, ''));
  url.searchParams.set('created', `>=${new Date(last.at - 60_000).toISOString().slice(0, 19)}Z`);
  url.searchParams.set('per_page', '100');
  const found = await follow<Record<string, unknown>>(
    { method: 'GET', url, headers: headers(p) },
    (doc) => {
      const runs = fieldAt(doc, ['workflow_runs']);
      const run = Array.isArray(runs)
        ? runs.find((r) => titleOf(r).includes(last.commandId))
        : undefined;
      return run === undefined
        ? { state: `no run named with ${last.commandId} listed yet` }
        : { done: run as Record<string, unknown> };
    },
    p.pace,
    ctx,
  );
  if (!found.ok) {
    return {
      result: {
        ok: false,
        error: `dispatched, but the run it created was not found (its run-name must show inputs.${p.commandIdInput}): ${found.error}`,
        output: runReport(
          [`dispatched ${p.workflow} on ${p.repository} at ${p.ref}; no run found`],
          found.waits,
        ),
      },
    };
  }
  const run = found.value;
  return {
    next: {
      system: 'github',
      stage: 'run',
      id: Number(run.id),
      ...(typeof run.html_url === 'string' ? { url: run.html_url } : {}),
      commandId: last.commandId,
    },
  };
}

async function followRun(p: PreparedGithub, last: ExternalRun, ctx: StepContext): Promise<Stage> {
  const url = under(p.api, `${repoPath(p)}/actions/runs/${encodeURIComponent(String(last.id))}`);
  const done = await follow<string>(
    { method: 'GET', url, headers: headers(p) },
    (doc) =>
      fieldAt(doc, ['status']) === 'completed'
        ? { done: String(fieldAt(doc, ['conclusion'])) }
        : { state: `status was ${JSON.stringify(fieldAt(doc, ['status']))}` },
    p.pace,
    ctx,
  );
  const link = last.url ?? url.href;
  return runEnded(
    {
      what: `run ${last.id}`,
      head: `GitHub Actions run ${last.id} of ${p.workflow} on ${p.repository} (${p.ref}): ${link}`,
      link,
      data: { run: last.id, status: 'completed' },
      passes: 'success',
      verb: 'concluded',
      says: (conclusion) => `status completed, conclusion ${conclusion}`,
      field: 'conclusion',
    },
    done,
  );
}

function titleOf(run: unknown): string {
  const title = fieldAt(run, ['display_title']) ?? fieldAt(run, ['name']);
  return typeof title === 'string' ? title : '';
}

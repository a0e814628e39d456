import { z } from 'zod';
import type { ExternalRun } from '../journal.ts';
import { fieldAt } from './http-poll.ts';
import { type OutgoingRequest, send } from './http-send.ts';
import {
  definePipelineKind,
  type FollowPace,
  follow,
  followFields,
  followPace,
  refusedBy,
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
} from './pipeline-spec.ts';
import type { StepContext } from './step-kind.ts';

const JOB = /^[A-Za-z0-9_.-]+( ?[A-Za-z0-9_.-]+)*(\/[A-Za-z0-9_.-]+( ?[A-Za-z0-9_.-]+)*)*$/;

export const jenkinsBuildSpec = z
  .strictObject({
    url: apiBase('Jenkins’ root URL', 'https://jenkins.example.com/').describe(
      'Jenkins’ root URL (`https://jenkins.example.com/`, or with its context path). No templates.',
    ),
    job: z
      .string()
      .regex(JOB, { error: 'expected a job name, folders joined by / (team/deploy)' })
      .describe(
        'The job: its name, or folders and name joined by `/` (`team/deploy` is `/job/team/job/deploy`). No templates.',
      ),
    parameters: runValues('build parameter'),
    commandIdParameter: z
      .string()
      .regex(NAME)
      .default('MEND_COMMAND_ID')
      .describe(
        'The parameter that carries the command id (`inc-7:heal:1:steps:0:1`); the job declares it as a string parameter (Jenkins drops parameters a job does not declare). Default `MEND_COMMAND_ID`.',
      ),
    user: z.string().min(1).describe('The Jenkins user whose API token `token` is.'),
    token: apiToken('The user’s API token: sent with `user` as HTTP basic auth'),
    crumb: z
      .boolean()
      .default(true)
      .describe(
        'Ask `/crumbIssuer/api/json` for a CSRF crumb and send it with the start (a 404 there: CSRF protection is off, none sent). Default true.',
      ),
    ...followFields,
  })
  .superRefine(commandIdLeftToMend('parameters', 'commandIdParameter', 'parameter'));

interface PreparedJenkins {
  root: URL;
  job: string;
  parameters: Record<string, string>;
  commandIdParameter: string;
  user: string;
  token: string;
  crumb: boolean;
  pace: FollowPace;
}

export const jenkinsBuildStep = definePipelineKind({
  name: 'jenkinsBuild',
  summary:
    'Starts a Jenkins build (buildWithParameters, the command id as a parameter), journals its queue item, then its build number, and follows the build to its result.',
  spec: jenkinsBuildSpec,
  prepare: (spec, ctx): PreparedJenkins => ({
    root: new URL(spec.url.endsWith('/') ? spec.url : `${spec.url}/`),
    job: spec.job,
    parameters: renderValues(spec.parameters, ctx, 'parameters'),
    commandIdParameter: spec.commandIdParameter,
    user: oneLine(spec.user, 'user'),
    token: tokenOf(spec.token, ctx, 'token'),
    crumb: spec.crumb,
    pace: followPace(spec),
  }),
  statusName: 'result',
  summarize: (c) =>
    `start Jenkins job ${c.job}${Object.keys(c.parameters as object).length ? ` with parameters ${JSON.stringify(c.parameters)}` : ''}, then follow its build`,
  describe: (p) => ({
    method: 'POST',
    url: jobUrl(p, 'buildWithParameters').href,
    job: p.job,
    parameters: p.parameters,
    commandIdParameter: p.commandIdParameter,
    user: p.user,
    crumb: p.crumb,
  }),
  advance,
});

/** `team/deploy` -> `job/team/job/deploy/` + rest, under the root. */
function jobUrl(p: PreparedJenkins, rest: string): URL {
  const path = p.job
    .split('/')
    .map((name) => `job/${encodeURIComponent(name)}/`)
    .join('');
  return new URL(`${path}${rest}`, p.root);
}

function auth(p: PreparedJenkins): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${p.user}:${p.token}`).toString('base64')}` };
}

async function advance(
  p: PreparedJenkins,
  last: ExternalRun | undefined,
  ctx: StepContext,
): Promise<Stage> {
  if (last === undefined) return start(p, ctx);
  if (last.stage === 'queued') return leaveQueue(p, last, ctx);
  return followBuild(p, last, ctx);
}

/**
 * A crumb, when Jenkins issues them: the crumb's header and value, and the session cookie it is
 * bound to (Jenkins ties a crumb to the web session that asked for it).
 */
async function crumbHeaders(
  p: PreparedJenkins,
  ctx: StepContext,
): Promise<Record<string, string> | string> {
  if (!p.crumb) return {};
  const url = new URL('crumbIssuer/api/json', p.root);
  const answer = await send(
    { method: 'GET', url, headers: auth(p) },
    ctx.signal,
    ctx.maxOutputBytes,
  );
  if ('error' in answer) return answer.error;
  if (answer.status === 404) return {};
  if (answer.status !== 200) return refusedBy({ method: 'GET', url, headers: {} }, answer);
  let doc: unknown;
  try {
    doc = JSON.parse(answer.body);
  } catch {
    return `GET ${url.href}: not JSON`;
  }
  const field = fieldAt(doc, ['crumbRequestField']);
  const crumb = fieldAt(doc, ['crumb']);
  if (typeof field !== 'string' || typeof crumb !== 'string')
    return `GET ${url.href}: no crumb in the answer`;
  const cookie = answer.headers['set-cookie']
    ?.split(/,(?=\s*[^;,=\s]+=)/)
    .map((c) => c.split(';')[0]!.trim())
    .join('; ');
  return { [field.toLowerCase()]: crumb, ...(cookie ? { cookie } : {}) };
}

async function start(p: PreparedJenkins, ctx: StepContext): Promise<Stage> {
  const crumb = await crumbHeaders(p, ctx);
  if (typeof crumb === 'string') return { result: { ok: false, error: `no crumb: ${crumb}` } };
  const form = new URLSearchParams({ ...p.parameters, [p.commandIdParameter]: ctx.key });
  const request: OutgoingRequest = {
    method: 'POST',
    url: jobUrl(p, 'buildWithParameters'),
    headers: { ...auth(p), ...crumb, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  };
  const answer = await sendStart(request, p.pace, ctx);
  const refused = startRefused(request, answer, [201]);
  if (refused || 'error' in answer) return refused!;
  const location = answer.headers.location;
  const queue = location === undefined ? undefined : new URL(location, p.root);
  // The queue item is asked with the credentials: only on Jenkins' own origin.
  if (queue === undefined || queue.origin !== p.root.origin) {
    return {
      result: {
        ok: false,
        status: 201,
        error: `${request.url.href}: 201 without a queue item on ${p.root.origin} (Location ${JSON.stringify(location ?? null)}): the build may have started; see the job`,
      },
    };
  }
  return { next: { system: 'jenkins', stage: 'queued', api: queue.href, commandId: ctx.key } };
}

async function leaveQueue(p: PreparedJenkins, last: ExternalRun, ctx: StepContext): Promise<Stage> {
  const item = new URL(last.api!);
  const url = new URL('api/json', item.href.endsWith('/') ? item : new URL(`${item.href}/`));
  const left = await follow<Record<string, unknown>>(
    { method: 'GET', url, headers: auth(p) },
    (doc) => {
      if (fieldAt(doc, ['cancelled']) === true) return { done: { cancelled: true } };
      const number = fieldAt(doc, ['executable', 'number']);
      if (typeof number === 'number') {
        return { done: { number, url: fieldAt(doc, ['executable', 'url']) } };
      }
      return { state: `in the queue: ${JSON.stringify(fieldAt(doc, ['why']) ?? null)}` };
    },
    p.pace,
    ctx,
  );
  if (!left.ok) {
    return {
      result: {
        ok: false,
        error: `queue item ${item.href}: ${left.error}`,
        output: runReport(
          [`Jenkins job ${p.job}: queued as ${item.href}, no build yet`],
          left.waits,
        ),
      },
    };
  }
  if (left.value.cancelled) {
    return {
      result: {
        ok: false,
        status: 'CANCELLED',
        error: `queue item ${item.href} was cancelled before a build started`,
      },
    };
  }
  const build =
    typeof left.value.url === 'string' ? left.value.url : jobUrl(p, `${left.value.number}/`).href;
  return {
    next: {
      system: 'jenkins',
      stage: 'build',
      id: left.value.number as number,
      url: build,
      api: item.href,
      commandId: last.commandId,
    },
  };
}

async function followBuild(
  p: PreparedJenkins,
  last: ExternalRun,
  ctx: StepContext,
): Promise<Stage> {
  const url = jobUrl(p, `${encodeURIComponent(String(last.id))}/api/json`);
  const done = await follow<string>(
    { method: 'GET', url, headers: auth(p) },
    (doc) => {
      const result = fieldAt(doc, ['result']);
      return fieldAt(doc, ['building']) === false && typeof result === 'string'
        ? { done: result }
        : { state: 'building' };
    },
    p.pace,
    ctx,
  );
  const link = last.url ?? url.href;
  return runEnded(
    {
      what: `build #${last.id}`,
      head: `Jenkins build ${p.job} #${last.id}: ${link}`,
      link,
      data: { build: last.id },
      passes: 'SUCCESS',
      verb: 'ended',
      says: (result) => `result ${result}`,
      field: 'result',
    },
    done,
  );
}

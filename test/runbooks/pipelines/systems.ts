import {
  type Exchange,
  expectHeader,
  parseJson,
  type Receiver,
  type Script,
  startReceiver,
} from './receiver.ts';

/**
 * Receivers for the three CI/CD APIs, each checking requests against the API's documentation
 * (paths, methods, headers, bodies) and answering in its documented shapes:
 *   GitHub REST (workflows, workflow runs; "Rate limits for the REST API")
 *   GitLab API v4 (pipeline triggers, pipelines)
 *   Jenkins remote access API (buildWithParameters, the queue item, the build; CSRF crumbs)
 * A request that differs is recorded in `problems` and answered as the API would refuse it.
 */

export const GITHUB_TOKEN = 'ghp_pipelinesTestToken0123456789';
export const GITLAB_TOKEN = 'glpat-pipelinesTestToken0123';
export const GITLAB_TRIGGER = 'glptt-pipelinesTrigger0123456';
export const JENKINS_USER = 'mend-bot';
export const JENKINS_TOKEN = '11aa22bb33cc44dd55ee66ff77889900';

export type System = 'github' | 'gitlab' | 'jenkins';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------- GitHub

export async function startGithub(script: Script): Promise<Receiver> {
  const runs: { id: number; title: string; createdAt: string; listedAfter: number }[] = [];
  let lists = 0;
  let refusedStarts = 0;
  const headersOk = (x: Exchange) =>
    [
      expectHeader(x, 'accept', 'application/vnd.github+json'),
      expectHeader(x, 'authorization', `Bearer ${GITHUB_TOKEN}`),
      expectHeader(x, 'x-github-api-version', '2022-11-28'),
      expectHeader(x, 'user-agent', /./),
    ].every(Boolean);
  const runDoc = (x: Exchange, id: number, title: string) => ({
    id,
    name: 'redeploy',
    display_title: title,
    event: 'workflow_dispatch',
    head_branch: 'main',
    html_url: `${x.state.base}/acme/shop/actions/runs/${id}`,
    url: `${x.state.base}/repos/acme/shop/actions/runs/${id}`,
  });
  return startReceiver(script, async (x) => {
    const flow = '/repos/acme/shop/actions/workflows/redeploy.yml';
    if (x.req.method === 'POST' && x.path === `${flow}/dispatches`) {
      const ok = headersOk(x) && expectHeader(x, 'content-type', 'application/json');
      const body = parseJson(x);
      const inputs = isObject(body) ? body.inputs : undefined;
      const fine =
        ok &&
        isObject(body) &&
        body.ref === 'main' &&
        isObject(inputs) &&
        Object.values(inputs).every((v) => typeof v === 'string') &&
        typeof inputs.mend_command_id === 'string';
      if (!fine) {
        x.problem(`dispatch body: ${x.body}`);
        return x.json(422, { message: 'Invalid request.' });
      }
      if (x.state.script.rateLimitedStart && refusedStarts++ === 0) {
        x.state.receiver.limitedAt.push(Date.now());
        return x.json(
          429,
          { message: 'You have exceeded a secondary rate limit.' },
          { 'retry-after': '1' },
        );
      }
      x.state.receiver.starts++;
      runs.push({
        id: 9000 + runs.length + 1,
        title: `redeploy ${(inputs as Record<string, string>).mend_command_id}`,
        createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        listedAfter: lists + 1, // GitHub lists a new run a moment after the dispatch
      });
      x.res.writeHead(204);
      return x.res.end();
    }
    if (x.req.method === 'GET' && x.path === `${flow}/runs`) {
      headersOk(x);
      lists++;
      const created = x.query.get('created') ?? '';
      const since = /^>=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(created)?.[1];
      if (
        x.query.get('event') !== 'workflow_dispatch' ||
        x.query.get('branch') !== 'main' ||
        !since
      ) {
        x.problem(`list query: ${x.query}`);
      }
      const listed = runs.filter((r) => r.listedAfter < lists && (!since || r.createdAt >= since));
      const decoy = runDoc(x, 8999, 'redeploy started by hand');
      return x.json(200, {
        total_count: listed.length + 1,
        workflow_runs: [...listed.map((r) => runDoc(x, r.id, r.title)).reverse(), decoy],
      });
    }
    const one = /^\/repos\/acme\/shop\/actions\/runs\/(\d+)$/.exec(x.path);
    if (x.req.method === 'GET' && one) {
      headersOk(x);
      const run = runs.find((r) => r.id === Number(one[1]));
      if (!run) return x.json(404, { message: 'Not Found' });
      const now = await x.state.progress();
      if (now === 'limited') {
        return x.json(
          403,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          },
          { 'retry-after': '1', 'x-ratelimit-remaining': '4990' },
        );
      }
      const doc = runDoc(x, run.id, run.title);
      return x.json(200, {
        ...doc,
        status: now === 'running' ? 'in_progress' : 'completed',
        conclusion: now === 'running' ? null : now,
      });
    }
  });
}

// ---------------------------------------------------------------- GitLab

export async function startGitlab(script: Script): Promise<Receiver> {
  const pipelines: number[] = [];
  const pipelineDoc = (x: Exchange, id: number, status: string) => ({
    id,
    iid: id - 600,
    project_id: 42,
    status,
    source: 'trigger',
    ref: 'main',
    web_url: `${x.state.base}/group/shop/-/pipelines/${id}`,
  });
  const created = (x: Exchange) => {
    x.state.receiver.starts++;
    const id = 700 + pipelines.length + 1;
    pipelines.push(id);
    return x.json(201, pipelineDoc(x, id, 'created'));
  };
  return startReceiver(script, async (x) => {
    const project = '/api/v4/projects/group%2Fshop';
    if (x.req.method === 'POST' && x.path === `${project}/trigger/pipeline`) {
      expectHeader(x, 'content-type', 'application/x-www-form-urlencoded');
      const form = new URLSearchParams(x.body);
      if (form.get('token') !== GITLAB_TRIGGER) return x.json(404, { message: '404 Not Found' });
      if (form.get('ref') !== 'main' || !form.get('variables[MEND_COMMAND_ID]')) {
        x.problem(`trigger form: ${x.body}`);
        return x.json(400, { message: { base: ['Reference not found'] } });
      }
      return created(x);
    }
    if (x.req.method === 'POST' && x.path === `${project}/pipeline`) {
      if (x.req.headers['private-token'] !== GITLAB_TOKEN)
        return x.json(401, { message: '401 Unauthorized' });
      expectHeader(x, 'content-type', 'application/json');
      const body = parseJson(x);
      const variables = isObject(body) ? body.variables : undefined;
      const fine =
        isObject(body) &&
        body.ref === 'main' &&
        Array.isArray(variables) &&
        variables.every(
          (v) => isObject(v) && typeof v.key === 'string' && typeof v.value === 'string',
        ) &&
        variables.some((v) => (v as Record<string, unknown>).key === 'MEND_COMMAND_ID');
      if (!fine) {
        x.problem(`create body: ${x.body}`);
        return x.json(400, { message: 'variables is invalid' });
      }
      return created(x);
    }
    const one = /^\/api\/v4\/projects\/group%2Fshop\/pipelines\/(\d+)$/.exec(x.path);
    if (x.req.method === 'GET' && one) {
      if (x.req.headers['private-token'] !== GITLAB_TOKEN)
        return x.json(401, { message: '401 Unauthorized' });
      const id = Number(one[1]);
      if (!pipelines.includes(id)) return x.json(404, { message: '404 Not found' });
      const now = await x.state.progress();
      if (now === 'limited') {
        return x.json(
          429,
          { message: 'Retry later' },
          { 'retry-after': '1', 'ratelimit-remaining': '0' },
        );
      }
      return x.json(
        200,
        pipelineDoc(
          x,
          id,
          now === 'running' ? 'running' : now === 'success' ? 'success' : 'failed',
        ),
      );
    }
  });
}

// ---------------------------------------------------------------- Jenkins

const CRUMB = 'c0ffee0123456789';
const SESSION = 'JSESSIONID.node0=node0abc123';

export async function startJenkins(script: Script): Promise<Receiver> {
  const queue: { item: number; asked: number; build: number }[] = [];
  const basic = `Basic ${Buffer.from(`${JENKINS_USER}:${JENKINS_TOKEN}`).toString('base64')}`;
  const authorized = (x: Exchange) => {
    if (x.req.headers.authorization === basic) return true;
    x.json(401, undefined);
    return false;
  };
  return startReceiver(script, async (x) => {
    const job = '/jenkins/job/team/job/deploy';
    if (x.req.method === 'GET' && x.path === '/jenkins/crumbIssuer/api/json') {
      if (!authorized(x)) return;
      return x.json(
        200,
        {
          _class: 'hudson.security.csrf.DefaultCrumbIssuer',
          crumb: CRUMB,
          crumbRequestField: 'Jenkins-Crumb',
        },
        { 'set-cookie': `${SESSION}; Path=/jenkins; HttpOnly` },
      );
    }
    if (x.req.method === 'POST' && x.path === `${job}/buildWithParameters`) {
      if (!authorized(x)) return;
      // Jenkins answers a POST without the crumb of this session 403 "No valid crumb".
      if (
        x.req.headers['jenkins-crumb'] !== CRUMB ||
        !String(x.req.headers.cookie).includes(SESSION)
      ) {
        x.problem(
          `crumb ${JSON.stringify(x.req.headers['jenkins-crumb'])}, cookie ${JSON.stringify(x.req.headers.cookie)}`,
        );
        x.res.writeHead(403, { 'content-type': 'text/html' });
        return x.res.end('No valid crumb was included in the request');
      }
      expectHeader(x, 'content-type', 'application/x-www-form-urlencoded');
      const form = new URLSearchParams(x.body);
      if (!form.get('MEND_COMMAND_ID') || !form.get('SERVICE')) x.problem(`form: ${x.body}`);
      x.state.receiver.starts++;
      const item = 300 + queue.length + 1;
      queue.push({ item, asked: 0, build: 40 + queue.length + 1 });
      x.res.writeHead(201, { location: `${x.state.base}/jenkins/queue/item/${item}/` });
      return x.res.end();
    }
    const item = /^\/jenkins\/queue\/item\/(\d+)\/api\/json$/.exec(x.path);
    if (x.req.method === 'GET' && item) {
      if (!authorized(x)) return;
      const entry = queue.find((q) => q.item === Number(item[1]));
      if (!entry) return x.json(404, undefined);
      entry.asked++;
      const base = {
        _class: 'hudson.model.Queue$LeftItem',
        id: entry.item,
        blocked: false,
        cancelled: false,
      };
      if (entry.asked === 1) {
        return x.json(200, {
          ...base,
          _class: 'hudson.model.Queue$WaitingItem',
          why: 'In the quiet period. Expires in 4.9 sec',
        });
      }
      return x.json(200, {
        ...base,
        why: null,
        executable: {
          _class: 'hudson.model.FreeStyleBuild',
          number: entry.build,
          url: `${x.state.base}${job}/${entry.build}/`,
        },
      });
    }
    const build = /^\/jenkins\/job\/team\/job\/deploy\/(\d+)\/api\/json$/.exec(x.path);
    if (x.req.method === 'GET' && build) {
      if (!authorized(x)) return;
      const number = Number(build[1]);
      if (!queue.some((q) => q.build === number)) return x.json(404, undefined);
      const now = await x.state.progress();
      if (now === 'limited') return x.json(429, undefined, { 'retry-after': '1' });
      return x.json(200, {
        _class: 'hudson.model.FreeStyleBuild',
        number,
        url: `${x.state.base}${job}/${number}/`,
        building: now === 'running',
        result: now === 'running' ? null : now === 'success' ? 'SUCCESS' : 'FAILURE',
      });
    }
  });
}

export function startSystem(system: System, script: Script): Promise<Receiver> {
  return system === 'github'
    ? startGithub(script)
    : system === 'gitlab'
      ? startGitlab(script)
      : startJenkins(script);
}

export const KIND: Record<System, string> = {
  github: 'githubWorkflow',
  gitlab: 'gitlabPipeline',
  jenkins: 'jenkinsBuild',
};

/** The step's spec for `system` at `receiver`, tokens from env (TOKENS_ENV), quick to ask. */
export function pipelineSpec(
  system: System,
  receiver: Receiver,
  value = '{{service.name}}',
): Record<string, unknown> {
  const pace = { interval: '50ms', maxInterval: '200ms' };
  if (system === 'github') {
    return {
      api: receiver.url,
      repository: 'acme/shop',
      workflow: 'redeploy.yml',
      ref: 'main',
      inputs: { service: value },
      token: { valueFrom: { env: 'GITHUB_TOKEN' } },
      ...pace,
    };
  }
  if (system === 'gitlab') {
    return {
      api: `${receiver.url}/api/v4`,
      project: 'group/shop',
      ref: 'main',
      variables: { SERVICE: value },
      token: { valueFrom: { env: 'GITLAB_TOKEN' } },
      triggerToken: { valueFrom: { env: 'GITLAB_TRIGGER_TOKEN' } },
      ...pace,
    };
  }
  return {
    url: `${receiver.url}/jenkins/`,
    job: 'team/deploy',
    parameters: { SERVICE: value },
    user: JENKINS_USER,
    token: { valueFrom: { env: 'JENKINS_TOKEN' } },
    ...pace,
  };
}

/** The step as a runbook's steps list holds it (YAML; the spec in flow style). */
export function pipelineStep(
  system: System,
  receiver: Receiver,
  spec?: Record<string, unknown>,
): string {
  return `    - name: redeploy\n      ${KIND[system]}: ${JSON.stringify(spec ?? pipelineSpec(system, receiver))}`;
}

/** The environment the tokens are read from. */
export const TOKENS_ENV = {
  GITHUB_TOKEN,
  GITLAB_TOKEN,
  GITLAB_TRIGGER_TOKEN: GITLAB_TRIGGER,
  JENKINS_TOKEN,
};

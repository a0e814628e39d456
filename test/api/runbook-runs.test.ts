import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  call,
  RUNNING_MEND_CONFIG,
  type RunningMend,
  startRunningMend,
} from '../helpers/running-mend.ts';

// The helper's config (service api, runbook restart), and a runbook that takes its time, with a
// param, to hold the service while a second run is asked for.
const CONFIG = (url: string) => `${RUNNING_MEND_CONFIG(url)}---
apiVersion: mend/v1
kind: Runbook
metadata: { name: slow }
spec:
  params:
    seconds: { type: integer, default: 2 }
  steps:
    - name: sleep
      exec: { command: ["${process.execPath}", "-e", "setTimeout(() => {}, {{params.seconds}} * 1000)"] }
    - name: verify
      verify: {}
`;

let mend: RunningMend;
before(async () => {
  mend = await startRunningMend({ config: CONFIG });
});
after(() => mend.stop());

async function runOf(run: string, token: string) {
  const answer = await call(mend.base, 'GET', `/api/v1/runs/${run}`, { token });
  assert.equal(answer.status, 200, answer.body);
  return answer.json() as {
    status: string;
    intent: { actor?: string } | null;
    steps: { name: string; status: string }[];
  };
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 30_000;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(last)} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

test('an operator runs a runbook by hand: an incident of its own, journaled with the caller as actor, closed with the run', async () => {
  const { operator, admin } = mend.tokens;
  const started = await call(mend.base, 'POST', '/api/v1/runbooks/restart/runs', {
    token: operator,
    body: { service: 'api' },
  });
  assert.equal(started.status, 201, started.body);
  const body = started.json() as { incident: string; run: string; request: number };
  assert.match(body.incident, /^inc-\d+$/);
  assert.equal(body.run, `${body.incident}:heal:1`);
  assert.equal(started.headers.location, `/api/v1/runs/${body.run}`);

  const run = await until(
    'the run',
    () => runOf(body.run, mend.tokens.viewer),
    (r) => r.status === 'succeeded',
  );
  assert.equal(run.intent?.actor, 'token:operator-1');
  assert.deepEqual(
    run.steps.map((step) => [step.name, step.status]),
    [
      ['restart', 'ok'],
      ['verify', 'ok'],
    ],
  );

  const incident = await until(
    'the incident',
    async () =>
      (
        await call(mend.base, 'GET', `/api/v1/incidents/${body.incident}`, { token: operator })
      ).json() as {
        status: string;
        timeline: { text?: string; message?: string }[];
      },
    (view) => view.status === 'resolved',
  );
  const said = JSON.stringify(incident);
  assert.match(said, /run by hand on api by token:operator-1/);
  assert.match(said, /incident closed/);

  const audit = (
    await call(mend.base, 'GET', '/api/v1/audit?actor=token:operator-1', { token: admin })
  ).json() as {
    items: { action: string; target: string; result: string }[];
  };
  assert.ok(
    audit.items.some((row) => row.action === 'runbook.run' && row.target === 'runbook/api/restart'),
    JSON.stringify(audit.items),
  );
});

test('a run that cannot start is refused with the reason and starts nothing', async () => {
  const { operator } = mend.tokens;
  const cases: [string, object, RegExp][] = [
    ['/api/v1/runbooks/restrat/runs', { service: 'api' }, /no runbook named restrat.*restart/],
    ['/api/v1/runbooks/restart/runs', { service: 'apx' }, /no service named apx.*api/],
    [
      '/api/v1/runbooks/slow/runs',
      { service: 'api', params: { seconds: 'soon' } },
      /params do not validate: .*seconds/,
    ],
    [
      '/api/v1/runbooks/slow/runs',
      { service: 'api', params: { minutes: '1' } },
      /minutes: not declared/,
    ],
  ];
  for (const [path, body, reason] of cases) {
    const answer = await call(mend.base, 'POST', path, { token: operator, body });
    assert.equal(answer.status, 409, `${path} ${answer.body}`);
    assert.equal(answer.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.match((answer.json() as { detail: string }).detail, reason);
  }
});

test('one heal per service at a time holds for runs by hand', async () => {
  const { operator } = mend.tokens;
  const first = await call(mend.base, 'POST', '/api/v1/runbooks/slow/runs', {
    token: operator,
    body: { service: 'api', params: { seconds: '3' } },
  });
  assert.equal(first.status, 201, first.body);
  const second = await call(mend.base, 'POST', '/api/v1/runbooks/restart/runs', {
    token: operator,
    body: { service: 'api' },
  });
  assert.equal(second.status, 409, second.body);
  assert.match(
    (second.json() as { detail: string }).detail,
    /heal inc-\d+:heal:1 is running on api: one heal per service at a time/,
  );
  const { run } = first.json() as { run: string };
  await until(
    'the slow run',
    () => runOf(run, operator),
    (r) => r.status === 'succeeded',
  );
});

test('a run id that was never a heal is a 404 saying where to look', async () => {
  const answer = await call(mend.base, 'GET', '/api/v1/runs/inc-999:heal:1', {
    token: mend.tokens.viewer,
  });
  assert.equal(answer.status, 404);
  assert.match((answer.json() as { detail: string }).detail, /GET \/api\/v1\/incidents\/inc-999/);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CloudEvent, HTTP } from 'cloudevents';
import { openStore } from '../../src/store/open.ts';
import {
  call,
  RUNNING_MEND_CONFIG,
  type RunningMend,
  startRunningMend,
} from '../helpers/running-mend.ts';

/**
 * CloudEvents on a real `mend run`: service `api` selects the events of source /checkout whose
 * data says too many errors, and those that say it recovered; the policy heals it (exec,
 * verify). Messages are made by the CloudEvents SDK (npm `cloudevents`), binary and structured.
 */
const CONFIG = (url: string) =>
  RUNNING_MEND_CONFIG(url).replace(
    'spec:\n  checks:',
    `spec:
  events:
    - source: /checkout
      type: [com.example.errors, com.example.recovered]
      when: 'event.type == "com.example.recovered" || data.errors > 10'
      resolvedWhen: 'event.type == "com.example.recovered"'
  checks:`,
  );

let mend: RunningMend;
before(async () => {
  mend = await startRunningMend({ config: CONFIG });
});
after(async () => {
  await mend?.stop();
});

let subjects = 0;
const nextSubject = () => `pod/checkout-${++subjects}`;

type Message = { headers: Record<string, unknown>; body: unknown };

function post(message: Message, token = mend.tokens.ingest) {
  const headers = Object.fromEntries(
    Object.entries(message.headers).map(([name, value]) => [name, String(value)]),
  );
  return call(mend.base, 'POST', '/api/v1/events', {
    token,
    body: typeof message.body === 'string' ? message.body : JSON.stringify(message.body ?? ''),
    headers,
  });
}

const failing = (subject: string, fields: Record<string, unknown> = {}) =>
  new CloudEvent({
    type: 'com.example.errors',
    source: '/checkout',
    subject,
    time: new Date().toISOString(),
    data: { errors: 42 },
    ...fields,
  });

async function incidentsAbout(subject: string) {
  const answer = await call(mend.base, 'GET', '/api/v1/incidents?limit=500', {
    token: mend.tokens.viewer,
  });
  assert.equal(answer.status, 200, answer.body);
  const items = (answer.json() as { items: { id: string }[] }).items;
  const out: { id: string; status: string; timeline: { what: string; detail: string }[] }[] = [];
  for (const item of items) {
    const one = await call(mend.base, 'GET', `/api/v1/incidents/${item.id}`, {
      token: mend.tokens.viewer,
    });
    const incident = one.json() as (typeof out)[number];
    if (JSON.stringify(incident.timeline).includes(subject)) out.push(incident);
  }
  return out;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function kept() {
  const store = await openStore({ path: mend.db });
  try {
    return await store.listAlerts();
  } finally {
    await store.close();
  }
}

test('a binary-mode event heals; its re-delivery changes nothing; a structured recovery closes it', async () => {
  const subject = nextSubject();
  const event = failing(subject);
  const first = await post(HTTP.binary(event));
  assert.equal(first.status, 200, first.body);
  assert.deepEqual(first.json(), { received: 1, stale: 0, unmatched: 0, signals: 1 });
  const again = await Promise.all([post(HTTP.binary(event)), post(HTTP.structured(event))]);
  for (const answer of again) {
    assert.equal(answer.status, 200, answer.body);
    assert.equal((answer.json() as { signals: number }).signals, 0, 'a re-delivery is no signal');
  }
  const [healed] = await until('the heal ends', async () => {
    const found = await incidentsAbout(subject);
    return found[0]?.timeline.some((e) => e.what === 'outcome succeeded') ? found : undefined;
  });
  assert.ok(healed);
  assert.equal((await incidentsAbout(subject)).length, 1, 'one incident');
  const store = await openStore({ path: mend.db });
  try {
    const heals = (await store.listCommands({ incidentId: healed.id })).filter(
      (c) => c.kind === 'heal',
    );
    assert.equal(heals.length, 1);
  } finally {
    await store.close();
  }
  assert.match(
    JSON.stringify(healed.timeline),
    new RegExp(`event com\\.example\\.errors firing: ${subject}`),
  );

  const recovered = new CloudEvent({
    type: 'com.example.recovered',
    source: '/checkout',
    subject,
    time: new Date(Date.now() + 1).toISOString(),
  });
  const closing = await post(HTTP.structured(recovered));
  assert.equal(closing.status, 200, closing.body);
  assert.equal((closing.json() as { signals: number }).signals, 1);
  const [closed] = await incidentsAbout(subject);
  assert.equal(closed?.status, 'resolved');
});

test('batch mode: each event is its own condition; an event no Service selects is kept, not judged', async () => {
  const [a, b, c] = [nextSubject(), nextSubject(), nextSubject()];
  const events = [
    failing(a),
    failing(b),
    // Too few errors for the Service's condition: selected by no Service.
    failing(c, { data: { errors: 1 } }),
  ];
  const answer = await call(mend.base, 'POST', '/api/v1/events', {
    token: mend.tokens.ingest,
    body: JSON.stringify(events.map((event) => event.toJSON())),
    headers: { 'content-type': 'application/cloudevents-batch+json' },
  });
  assert.equal(answer.status, 200, answer.body);
  assert.deepEqual(answer.json(), { received: 3, stale: 0, unmatched: 1, signals: 2 });
  const stored = await kept();
  const unmatched = stored.find((record) => record.labels.ce_subject === c);
  assert.equal(unmatched?.service, undefined);
  assert.equal(unmatched?.source, 'cloudevents');
  const listed = await call(mend.base, 'GET', '/api/v1/alerts?unmatched=true', {
    token: mend.tokens.viewer,
  });
  assert.match(listed.body, new RegExp(c.replace('/', '\\/')));
  assert.deepEqual(await incidentsAbout(c), []);
});

test('bad input: the right status as a problem document, and nothing recorded', async () => {
  const subject = nextSubject();
  const structured = HTTP.structured(failing(subject));
  const body = String(structured.body);
  const send = (options: { token?: string; headers?: Record<string, string>; body?: string }) =>
    call(mend.base, 'POST', '/api/v1/events', {
      body: options.body ?? body,
      headers: { 'content-type': 'application/cloudevents+json', ...options.headers },
      ...(options.token !== undefined ? { token: options.token } : {}),
    });
  const ingest = mend.tokens.ingest;
  const cases: [string, () => ReturnType<typeof send>, number][] = [
    [
      'plain JSON, no ce-* headers',
      () => send({ token: ingest, headers: { 'content-type': 'application/json' } }),
      415,
    ],
    ['malformed JSON', () => send({ token: ingest, body: '{"id":' }), 400],
    ['no id', () => send({ token: ingest, body: body.replace(/"id":"[^"]*",/, '') }), 400],
    [
      'a wrong specversion',
      () => send({ token: ingest, body: body.replace('"1.0"', '"0.3"') }),
      400,
    ],
    ['no token', () => send({}), 401],
    ['a wrong token', () => send({ token: 'mend_wrong' }), 401],
    ['a viewer token', () => send({ token: mend.tokens.viewer }), 403],
    ['an operator token', () => send({ token: mend.tokens.operator }), 403],
    [
      'a huge body',
      () => send({ token: ingest, headers: { 'content-length': String(5 * 1024 * 1024) } }),
      413,
    ],
  ];
  for (const [what, request, status] of cases) {
    const answer = await request();
    assert.equal(answer.status, status, `${what}: ${answer.body}`);
    assert.match(String(answer.headers['content-type']), /^application\/problem\+json/, what);
  }
  assert.ok(!(await kept()).some((record) => record.labels.ce_subject === subject));
  assert.deepEqual(await incidentsAbout(subject), []);
});

test('an acknowledged event survives a SIGKILL right after the 200', async () => {
  const subject = nextSubject();
  const answer = await post(HTTP.binary(failing(subject)));
  assert.equal(answer.status, 200, answer.body);
  mend.mend.kill('SIGKILL');
  await mend.mend.exited;
  const record = (await kept()).find((r) => r.labels.ce_subject === subject);
  assert.equal(record?.status, 'firing');
  const store = await openStore({ path: mend.db });
  try {
    const signals = await store.listSignals({ service: 'api' });
    assert.ok(signals.some((s) => s.fingerprint === record?.fingerprint && s.status === 'firing'));
  } finally {
    await store.close();
  }
});

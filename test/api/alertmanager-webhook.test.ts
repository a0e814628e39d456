import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import { receivedTotals } from '../helpers/exposition.ts';
import { MendProcess } from '../helpers/mend-process.ts';
import { until } from '../helpers/monitoring-programs.ts';
import {
  call,
  RUNNING_MEND_CONFIG,
  type RunningMend,
  startRunningMend,
} from '../helpers/running-mend.ts';

/**
 * The Alertmanager webhook on a real `mend run`: service `api` selects the alerts of
 * job="checkout"; the policy heals it (exec, verify). Payloads are version 4 as Alertmanager
 * 0.25 posts them (notify/webhook: template.Data plus version, groupKey, truncatedAlerts).
 */
const CONFIG = (url: string) => `${RUNNING_MEND_CONFIG(url).replace(
  'spec:\n  checks:',
  'spec:\n  selector: [\'job="checkout"\']\n  checks:',
)}---
apiVersion: mend/v1
kind: Policy
metadata: { name: disks }
spec:
  match: { sources: [alertmanager], matchers: ['alertname="DiskAlmostFull"'] }
  observe: true
`;

let mend: RunningMend;
before(async () => {
  mend = await startRunningMend({ config: CONFIG });
});
after(async () => {
  await mend?.stop();
});

let fingerprints = 0;
function nextFingerprint(): string {
  return (0xa000 + ++fingerprints).toString(16).padStart(16, '0');
}

interface AlertSpec {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}

function payload(alerts: AlertSpec[]) {
  return {
    receiver: 'mend',
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: a.labels ?? { alertname: 'HighErrorRate', job: 'checkout', severity: 'page' },
      annotations: { summary: 'error rate above 5%' },
      startsAt: a.startsAt ?? '2026-12-02T10:00:00.000Z',
      endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=rate',
      fingerprint: a.fingerprint,
    })),
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: { alertname: 'HighErrorRate', job: 'checkout' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: '{}:{alertname="HighErrorRate"}',
    truncatedAlerts: 0,
  };
}

function post(body: unknown, options: { token?: string; headers?: Record<string, string> } = {}) {
  return call(mend.base, 'POST', '/api/v1/alerts/alertmanager', {
    token: options.token ?? mend.tokens.ingest,
    body: typeof body === 'string' ? body : (body as object),
    ...(options.headers ? { headers: options.headers } : {}),
  });
}

async function incidentsOf(fingerprint: string) {
  const answer = await call(mend.base, 'GET', '/api/v1/incidents?limit=500', {
    token: mend.tokens.viewer,
  });
  assert.equal(answer.status, 200, answer.body);
  const items = (answer.json() as { items: { id: string; status: string }[] }).items;
  const out: { id: string; status: string; timeline: { what: string; detail: string }[] }[] = [];
  for (const item of items) {
    const one = await call(mend.base, 'GET', `/api/v1/incidents/${item.id}`, {
      token: mend.tokens.viewer,
    });
    const incident = one.json() as (typeof out)[number];
    if (JSON.stringify(incident.timeline).includes(fingerprint)) out.push(incident);
  }
  return out;
}

async function alertsStored(query = '') {
  const answer = await call(mend.base, 'GET', `/api/v1/alerts${query}`, {
    token: mend.tokens.viewer,
  });
  assert.equal(answer.status, 200, answer.body);
  return (answer.json() as { items: { fingerprint: string; status: string; service?: string }[] })
    .items;
}

test('a firing alert opens one incident and one heal; re-sends change nothing; resolved closes it', async () => {
  const fingerprint = nextFingerprint();
  const first = await post(payload([{ fingerprint, status: 'firing' }]));
  assert.equal(first.status, 200, first.body);
  assert.deepEqual(first.json(), { received: 1, stale: 0, unmatched: 0, signals: 1 });
  const [incident] = await incidentsOf(fingerprint);
  assert.ok(incident, 'an incident holds the alert');
  // repeat_interval and an HA peer: the same alert again, twice at once.
  const again = await Promise.all([
    post(payload([{ fingerprint, status: 'firing' }])),
    post(payload([{ fingerprint, status: 'firing' }])),
  ]);
  for (const answer of again) {
    assert.equal(answer.status, 200, answer.body);
    assert.equal((answer.json() as { signals: number }).signals, 0);
  }
  await until('the heal ends', async () => {
    const [now] = await incidentsOf(fingerprint);
    return now?.timeline.some((e) => e.what === 'outcome succeeded') ? now : undefined;
  });
  assert.equal((await incidentsOf(fingerprint)).length, 1, 'one incident');
  const store = await openStore({ path: mend.db });
  try {
    const heals = (await store.listCommands({ incidentId: incident.id })).filter(
      (c) => c.kind === 'heal',
    );
    assert.equal(heals.length, 1, `one heal: ${JSON.stringify(heals)}`);
  } finally {
    await store.close();
  }
  const resolved = await post(
    payload([{ fingerprint, status: 'resolved', endsAt: '2026-12-02T10:05:00.000Z' }]),
  );
  assert.equal(resolved.status, 200, resolved.body);
  assert.equal((resolved.json() as { signals: number }).signals, 1);
  const [closed] = await incidentsOf(fingerprint);
  assert.equal(closed?.status, 'resolved');
  const evidence = JSON.stringify(closed?.timeline);
  assert.match(evidence, /alert HighErrorRate firing: error rate above 5%/);
});

const receivedAlerts = () => receivedTotals(mend.base, 'alert');

test('resolved before firing (out of order): the older firing is stale, no incident', async () => {
  const before = await receivedAlerts();
  const fingerprint = nextFingerprint();
  const resolved = await post(
    payload([{ fingerprint, status: 'resolved', endsAt: '2026-12-02T11:00:00.000Z' }]),
  );
  assert.equal(resolved.status, 200, resolved.body);
  const late = await post(payload([{ fingerprint, status: 'firing' }]));
  assert.equal(late.status, 200, late.body);
  assert.deepEqual(late.json(), { received: 1, stale: 1, unmatched: 0, signals: 0 });
  assert.deepEqual(await incidentsOf(fingerprint), []);
  const kept = (await alertsStored()).find((a) => a.fingerprint === fingerprint);
  assert.equal(kept?.status, 'resolved');
  const after = await receivedAlerts();
  assert.equal((after.kept ?? 0) - (before.kept ?? 0), 1, 'the resolution was kept');
  assert.equal((after.stale ?? 0) - (before.stale ?? 0), 1, 'the late firing was stale');
});

test('an alert no Service selects is recorded and listed, not judged', async () => {
  const fingerprint = nextFingerprint();
  const answer = await post(
    payload([{ fingerprint, status: 'firing', labels: { alertname: 'DiskFull', job: 'db' } }]),
  );
  assert.equal(answer.status, 200, answer.body);
  assert.deepEqual(answer.json(), { received: 1, stale: 0, unmatched: 1, signals: 0 });
  const listed = await alertsStored('?unmatched=true');
  assert.ok(listed.some((a) => a.fingerprint === fingerprint && a.service === undefined));
  assert.deepEqual(await incidentsOf(fingerprint), []);
});

test('an alert no Service selects that a policy matches on its labels is judged as its job', async () => {
  const fingerprint = nextFingerprint();
  const labels = { alertname: 'DiskAlmostFull', job: 'db', severity: 'warn' };
  const answer = await post(payload([{ fingerprint, status: 'firing', labels }]));
  assert.equal(answer.status, 200, answer.body);
  assert.deepEqual(answer.json(), { received: 1, stale: 0, unmatched: 1, signals: 1 });
  const again = await post(payload([{ fingerprint, status: 'firing', labels }]));
  assert.equal((again.json() as { signals: number }).signals, 0, 'a re-send changes nothing');
  const [incident] = await incidentsOf(fingerprint);
  assert.ok(incident, 'an incident holds it');
  assert.equal((incident as unknown as { service: string }).service, 'db');
  assert.match(JSON.stringify(incident.timeline), /disks/);
  const listed = await alertsStored('?unmatched=true');
  assert.ok(
    listed.some((a) => a.fingerprint === fingerprint),
    'still listed as unmatched',
  );
  const resolved = await post(
    payload([{ fingerprint, status: 'resolved', labels, endsAt: '2026-12-02T10:05:00.000Z' }]),
  );
  assert.equal((resolved.json() as { signals: number }).signals, 1);
  const [closed] = await incidentsOf(fingerprint);
  assert.equal(closed?.status, 'resolved');
});

test('bad input: the right status, and nothing recorded', async () => {
  const fingerprint = nextFingerprint();
  const good = payload([{ fingerprint, status: 'firing' }]);
  const cases: [string, () => ReturnType<typeof post>, number][] = [
    ['malformed JSON', () => post('{"version": "4", "alerts": [', {}), 400],
    ['wrong version', () => post({ ...good, version: '3' }), 400],
    [
      'labels of the wrong type',
      () => post({ ...good, alerts: [{ ...good.alerts[0], labels: { a: 1 } }] }),
      400,
    ],
    ['no alerts', () => post({ ...good, alerts: [] }), 400],
    [
      'an alert status that is not firing or resolved',
      () => post({ ...good, alerts: [{ ...good.alerts[0], status: 'pending' }] }),
      400,
    ],
    [
      'a fingerprint that is not hex',
      () => post({ ...good, alerts: [{ ...good.alerts[0], fingerprint: 'x; drop' }] }),
      400,
    ],
    ['alerts that are not an array', () => post({ ...good, alerts: good.alerts[0] }), 400],
    ['a JSON array', () => post([good]), 400],
    [
      'a bad startsAt',
      () => post({ ...good, alerts: [{ ...good.alerts[0], startsAt: 'soon' }] }),
      400,
    ],
    [
      'text/plain',
      () => post(JSON.stringify(good), { headers: { 'content-type': 'text/plain' } }),
      415,
    ],
    ['no token', () => call(mend.base, 'POST', '/api/v1/alerts/alertmanager', { body: good }), 401],
    ['a wrong token', () => post(good, { token: 'mend_wrong' }), 401],
    ['a viewer token', () => post(good, { token: mend.tokens.viewer }), 403],
    ['an admin token', () => post(good, { token: mend.tokens.admin }), 403],
    [
      // Said by its length, as Alertmanager frames it: refused before a byte more is read.
      'a huge body',
      () => post(JSON.stringify(good), { headers: { 'content-length': String(5 * 1024 * 1024) } }),
      413,
    ],
  ];
  for (const [what, send, status] of cases) {
    const answer = await send();
    assert.equal(answer.status, status, `${what}: ${answer.body}`);
    assert.match(String(answer.headers['content-type']), /^application\/problem\+json/, what);
  }
  assert.ok(!(await alertsStored()).some((a) => a.fingerprint === fingerprint));
  assert.deepEqual(await incidentsOf(fingerprint), []);
});

test('an acknowledged alert survives a SIGKILL right after the 200', async () => {
  const fingerprint = nextFingerprint();
  const answer = await post(payload([{ fingerprint, status: 'firing' }]));
  assert.equal(answer.status, 200, answer.body);
  mend.mend.kill('SIGKILL');
  await mend.mend.exited;
  const store = await openStore({ path: mend.db });
  try {
    const alerts = await store.listAlerts();
    assert.equal(alerts.find((a) => a.fingerprint === fingerprint)?.status, 'firing');
    const signals = await store.listSignals({ service: 'api' });
    assert.ok(signals.some((s) => s.fingerprint === fingerprint && s.status === 'firing'));
  } finally {
    await store.close();
  }
  // A restarted mend holds it firing: the re-send is no new signal, the resolution closes it.
  const again = new MendProcess([
    'run',
    '-c',
    mend.config,
    '--db',
    mend.db,
    '--listen',
    '127.0.0.1:0',
  ]);
  try {
    const running = await again.waitForLog(/^mend running/, 20_000);
    const port = /listen:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(running)?.[1];
    const base = `http://127.0.0.1:${port}`;
    const resend = await call(base, 'POST', '/api/v1/alerts/alertmanager', {
      token: mend.tokens.ingest,
      body: payload([{ fingerprint, status: 'firing' }]),
    });
    assert.equal(resend.status, 200, resend.body);
    assert.equal((resend.json() as { signals: number }).signals, 0);
  } finally {
    again.kill('SIGTERM');
    await again.exited;
  }
});

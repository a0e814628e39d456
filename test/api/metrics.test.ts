import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Exposition, parseExposition } from '../helpers/exposition.ts';
import { promtool } from '../helpers/promtool.ts';
import { call } from '../helpers/running-mend.ts';
import { failAndHeal, type NotifyingMend, scrape, startNotifyingMend } from './healed-mend.ts';

let mend: NotifyingMend;
before(async () => {
  mend = await startNotifyingMend();
});
after(async () => {
  await mend?.stop();
});

test('/metrics of a mend run that healed: promtool lints nothing, and the series say what happened', async () => {
  let open: Exposition | undefined;
  await failAndHeal(mend, async () => {
    open = parseExposition(await scrape(mend));
  });
  const viewer = mend.tokens.viewer;
  assert.equal(
    (await call(mend.base, 'GET', '/api/v1/incidents/inc-1', { token: viewer })).status,
    200,
  );
  assert.equal(
    (await call(mend.base, 'GET', '/api/v1/incidents/inc-999', { token: viewer })).status,
    404,
  );
  assert.equal((await call(mend.base, 'GET', '/api/v1/incidents')).status, 401);
  const text = await scrape(mend);

  const lint = await promtool(['check', 'metrics'], text);
  assert.equal(lint.code, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
  assert.equal(lint.stdout + lint.stderr, '', 'no lint output');

  const m = parseExposition(text);
  // While the incident was open, and after it closed: gauges read from the decision state.
  assert.equal(open?.value('mend_incidents_open'), 1);
  assert.equal(m.value('mend_incidents_open'), 0);
  assert.equal(m.value('mend_breakers_open'), 0);
  assert.equal(m.value('mend_approvals_waiting'), 0);

  // Probes by kind and result; every probe is in the duration and lateness histograms once.
  const http = (result: string) => m.value('mend_probes_total', { kind: 'http', result });
  assert.ok(http('failed') >= 2, `${http('failed')} failed probes`);
  assert.ok(http('ok') > 0);
  assert.equal(http('discarded'), 0);
  const probes = http('ok') + http('failed') + http('discarded');
  assert.equal(m.value('mend_probe_duration_seconds_count', { kind: 'http' }), probes);
  assert.equal(m.value('mend_probe_lateness_seconds_count'), probes);
  for (const kind of ['tcp', 'exec', 'grpc']) {
    assert.equal(m.value('mend_probes_total', { kind, result: 'failed' }), 0, `${kind} at 0`);
  }

  assert.equal(m.value('mend_signals_total', { source: 'probe', status: 'firing' }), 1);
  assert.equal(m.value('mend_signals_total', { source: 'probe', status: 'resolved' }), 1);
  assert.equal(m.value('mend_decisions_total', { verdict: 'heal', reason: 'heal' }), 1);
  assert.equal(m.value('mend_heals_total', { runbook: 'restart', result: 'succeeded' }), 1);
  const recovered = { how: 'recovered-after-heal' };
  assert.equal(m.value('mend_time_to_recover_seconds_count', recovered), 1);
  assert.ok(m.value('mend_time_to_recover_seconds_sum', recovered) > 0);

  // The runbook's page: delivered to hook, failed to gone ...
  const delivery = (event: string, result: string) =>
    m.value('mend_notifier_deliveries_total', { kind: 'webhook', event, result });
  assert.equal(delivery('page', 'delivered'), 1);
  assert.equal(delivery('page', 'failed'), 1);
  // ... and resolved when the incident closed (to gone, it fails again).
  assert.equal(delivery('resolve', 'delivered'), 1);
  assert.deepEqual(mend.received, ['page', 'resolve']);

  for (const operation of ['record_decision', 'append_journal', 'append_incident_event']) {
    const writes = m.value('mend_store_write_duration_seconds_count', { operation });
    assert.ok(writes > 0, `${operation}: ${writes} writes`);
  }
  assert.equal(m.value('mend_store_up'), 1);

  // API requests by route template, never the path: no series names an incident.
  const requests = (route: string, status: string) =>
    m.value('mend_http_requests_total', { method: 'GET', route, status });
  assert.equal(requests('/api/v1/incidents/:id', '200'), 1);
  assert.equal(requests('/api/v1/incidents/:id', '404'), 1);
  assert.equal(requests('/api/v1/incidents', '401'), 1);
  assert.ok(requests('/metrics', '200') >= 1, 'the scrape while the incident was open');
  const byId = { method: 'GET', route: '/api/v1/incidents/:id' };
  assert.equal(m.value('mend_http_request_duration_seconds_count', byId), 2);
  const values = m.samples.flatMap((s) => Object.values(s.labels));
  assert.ok(!values.some((v) => /inc-\d/.test(v)), 'no label value is an incident id');

  assert.equal(m.find('mend_build_info').length, 1);
  assert.match(m.find('mend_build_info')[0]!.labels.version ?? '', /^\d+\.\d+\.\d+/);
  assert.ok(m.types.has('process_cpu_seconds_total'));
  assert.ok(m.types.has('nodejs_eventloop_lag_seconds'));
});

test('promtool check metrics fails an exposition that breaks the conventions (the check can fail)', async () => {
  const bad = [
    '# HELP mend_things_total Things.',
    '# TYPE mend_things_total gauge',
    'mend_things_total 1',
    '',
  ].join('\n');
  const lint = await promtool(['check', 'metrics'], bad);
  assert.notEqual(lint.code, 0);
  assert.match(lint.stdout + lint.stderr, /non-counter metrics should not have "_total" suffix/);
});

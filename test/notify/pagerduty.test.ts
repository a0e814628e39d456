import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  FAST,
  loadYaml,
  memoryStore,
  noReport,
  notifier,
  page,
  port,
  resolvePage,
  seedIncident,
  timelineOf,
} from './fixtures.ts';
import { type Receiver, startReceiver } from './http-receiver.ts';
import { pagerDutyErrors, startPagerDutyReceiver } from './pagerduty-receiver.ts';

let pd: Receiver;
before(async () => {
  pd = await startPagerDutyReceiver();
});
after(() => pd.close());

const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdef012345';

const config = () =>
  loadYaml(
    notifier(
      'oncall',
      `  pagerduty:\n    routingKey: {valueFrom: {env: PD_ROUTING_KEY}}\n    url: ${pd.url}/v2/enqueue\n  link: https://mend.example.com/incidents/{{incident.id}}\n${FAST}`,
    ),
  );

test('pagerduty: a page triggers with dedup_key = the incident id; recovery resolves the same key', async () => {
  pd.requests.length = 0;
  const store = await memoryStore();
  await seedIncident(store);
  const p = port(store, await config(), { env: { PD_ROUTING_KEY: ROUTING_KEY } });

  await p.dispatch(page(['oncall']), noReport);
  await p.dispatch(resolvePage(), noReport);

  const [trigger, resolve] = pd.requests.map((r) => r.body as Record<string, unknown>);
  assert.equal(pd.requests.length, 2);
  for (const event of [trigger, resolve]) assert.deepEqual(pagerDutyErrors(event), []);
  assert.equal(pd.requests[0]!.path, '/v2/enqueue');
  assert.equal(trigger!.event_action, 'trigger');
  assert.equal(trigger!.routing_key, ROUTING_KEY);
  assert.equal(trigger!.dedup_key, 'inc-1');
  const payload = trigger!.payload as Record<string, unknown>;
  assert.equal(payload.summary, 'api: 3 consecutive failures: connect ECONNREFUSED');
  assert.equal(payload.source, 'api');
  assert.equal(payload.severity, 'critical');
  assert.equal(payload.component, 'live');
  assert.equal(payload.group, 'restart-api');
  assert.equal(payload.class, 'breaker-open');
  const details = payload.custom_details as Record<string, unknown>;
  assert.match(String(details.reason), /breaker restart-api\/restart open/);
  assert.deepEqual(details.numbers, { attempts: 3, maxAttempts: 3, windowMs: 3_600_000 });
  assert.equal(details.attempts, 2);
  // The evidence: the lead signal and its last 5 observations, outputs bounded.
  const evidence = details.evidence as string[];
  assert.match(evidence[0]!, /^api\/live firing since 2026-11-24T10:00:00.000Z/);
  assert.equal(evidence.length, 1 + 5);
  assert.match(evidence[5]!, /FAIL 9ms: connect ECONNREFUSED 127.0.0.1:8080 \(#7\)/);
  assert.ok((details.timeline as string[]).some((line) => line.includes('heal: restart 2 of 3')));
  assert.deepEqual(trigger!.links, [
    { href: 'https://mend.example.com/incidents/inc-1', text: 'inc-1 in mend' },
  ]);

  assert.deepEqual(resolve, {
    routing_key: ROUTING_KEY,
    event_action: 'resolve',
    dedup_key: 'inc-1',
  });

  const recorded = (await timelineOf(store)).filter((e) => e.type.startsWith('notification'));
  assert.deepEqual(
    recorded.map((e) => [e.type, (e.payload as { key: string }).key]),
    [
      ['notification', 'inc-1:page:1'],
      ['notification', 'inc-1:page:1:resolve'],
    ],
  );
  await store.close();
});

test('pagerduty: a summary over 1024 characters is cut to 1024, and the event is accepted', async () => {
  pd.requests.length = 0;
  const store = await memoryStore();
  await seedIncident(store);
  const p = port(store, await config(), { env: { PD_ROUTING_KEY: ROUTING_KEY } });
  await p.dispatch({ ...page(['oncall']), summary: `api: ${'y'.repeat(3000)}` }, noReport);
  const payload = (pd.requests[0]!.body as { payload: { summary: string } }).payload;
  assert.equal(payload.summary.length, 1024);
  assert.match(payload.summary, /\[\.\.\. truncated by mend\]$/);
  assert.equal((await timelineOf(store)).at(-1)!.type, 'notification');
  await store.close();
});

test('pagerduty: a resolve goes only to the notifiers that received the page', async () => {
  pd.requests.length = 0;
  const store = await memoryStore();
  await seedIncident(store);
  const p = port(store, await config(), { env: { PD_ROUTING_KEY: ROUTING_KEY } });
  await p.dispatch(resolvePage(), noReport);
  assert.equal(pd.requests.length, 0);
  await store.close();
});

test('pagerduty: a resolve dispatched while its page is still being retried waits for it, then resolves', async () => {
  const slow = await startReceiver((_request, index) =>
    index === 0 ? { status: 503, delayMs: 100 } : { status: 202, body: '{"status":"success"}' },
  );
  try {
    const store = await memoryStore();
    await seedIncident(store);
    const cfg = await loadYaml(
      notifier(
        'oncall',
        `  pagerduty: {routingKey: {valueFrom: {env: PD_ROUTING_KEY}}, url: "${slow.url}/v2/enqueue"}\n${FAST}`,
      ),
    );
    const p = port(store, cfg, { env: { PD_ROUTING_KEY: ROUTING_KEY } });
    // As the decision loop does: dispatch and move on; the incident recovers meanwhile.
    const paging = p.dispatch(page(['oncall']), noReport);
    await slow.waitFor(1);
    await p.dispatch(resolvePage(), noReport);
    await paging;
    assert.deepEqual(
      slow.requests.map((r) => (r.body as { event_action: string }).event_action),
      ['trigger', 'trigger', 'resolve'],
    );
    await store.close();
  } finally {
    await slow.close();
  }
});

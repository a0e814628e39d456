import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecisionLoop } from '../../src/decisions/decision-loop.ts';
import { createNotifierPort } from '../../src/notify/notifier-port.ts';
import { fingerprint, type Signal } from '../../src/signals/signal.ts';
import { captureLog, FAST, loadYaml, memoryStore, notifier, T0 } from './fixtures.ts';
import { pagerDutyErrors, startPagerDutyReceiver } from './pagerduty-receiver.ts';

function signal(check: string, status: Signal['status'], at: number): Signal {
  const identity = { source: 'probe', service: 'api', check };
  return {
    fingerprint: fingerprint(identity),
    source: 'probe',
    service: 'api',
    check,
    labels: { ...identity, role: 'liveness' },
    status,
    startsAt: at - 3000,
    at,
    summary: status === 'firing' ? `${check}: 3 consecutive failures` : 'healthy again',
    evidence: [{ ok: status !== 'firing', startedAt: at - 10, durationMs: 1, status: 503 }],
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('through the decision loop: one page per incident, not per signal, resolved with the same dedup_key on recovery', async () => {
  const pd = await startPagerDutyReceiver();
  const store = await memoryStore();
  const config = await loadYaml(`apiVersion: mend/v1
kind: Service
metadata: {name: api}
spec:
  checks:
    - {name: live, tcp: {port: 8080}}
    - {name: deep, tcp: {port: 8081}}
---
apiVersion: mend/v1
kind: Policy
metadata: {name: page-api}
spec:
  page: {notifiers: [oncall]}
---
${notifier('oncall', `  pagerduty: {routingKey: {valueFrom: {env: PD_KEY}}, url: "${pd.url}/v2/enqueue"}\n${FAST}`)}`);
  let clock = T0;
  const { log } = captureLog();
  const actions = createNotifierPort({
    config: () => config,
    store,
    log,
    env: { PD_KEY: 'routing-key' },
    now: () => clock,
  });
  const loop = await DecisionLoop.open({ config, store, actions, log, now: () => clock });
  try {
    await loop.consume(signal('live', 'firing', clock));
    clock += 1000;
    await loop.consume(signal('deep', 'firing', clock));
    await until(() => pd.requests.length >= 1, 'the page');
    clock += 60_000;
    await loop.consume(signal('live', 'resolved', clock));
    clock += 1000;
    await loop.consume(signal('deep', 'resolved', clock));
    await until(() => pd.requests.length >= 2, 'the resolve');
    await new Promise((resolve) => setTimeout(resolve, 50));

    const events = pd.requests.map((r) => r.body as Record<string, unknown>);
    for (const event of events) assert.deepEqual(pagerDutyErrors(event), []);
    assert.deepEqual(
      events.map((e) => [e.event_action, e.dedup_key]),
      [
        ['trigger', 'inc-1'],
        ['resolve', 'inc-1'],
      ],
    );
    const payload = events[0]!.payload as {
      summary: string;
      custom_details: { evidence: string[] };
    };
    assert.equal(payload.summary, 'api: live: 3 consecutive failures');
    assert.match(payload.custom_details.evidence[1]!, /FAIL 1ms 503$/);

    const timeline = (await store.getIncident('inc-1'))!.timeline;
    assert.deepEqual(
      timeline
        .filter((e) => e.type === 'notification')
        .map((e) => (e.payload as { key: string }).key),
      ['inc-1:page:1', 'inc-1:page:1:resolve'],
    );
    const commands = await store.listCommands({});
    assert.deepEqual(
      commands.map((c) => c.kind),
      ['page', 'resolvePage'],
    );
  } finally {
    await loop.stop();
    await store.close();
    await pd.close();
  }
});

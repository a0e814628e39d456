import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pagerDutyFixture, ROUTING_KEY } from './contract/pagerduty.ts';
import { withTarget } from './contract.ts';
import {
  FAST,
  loadYaml,
  noReport,
  notifierOf,
  page,
  resolvePage,
  timelineOf,
  withPort,
} from './fixtures.ts';
import type { Receiver } from './http-receiver.ts';
import { pagerDutyErrors, startPagerDutyReceiver } from './pagerduty-receiver.ts';

// What every kind shares (retries, refusals, timeouts, redaction) is in the contract suite;
// here: PagerDuty's own wire format, Events API v2, and how its resolves follow its pages.

const LINK = '  link: https://mend.example.com/incidents/{{incident.id}}\n';

const configFor = (spec: Record<string, unknown>) =>
  loadYaml(notifierOf('oncall', 'pagerduty', spec, LINK + FAST));

test('pagerduty: a page triggers with dedup_key = the incident id; recovery resolves the same key', () =>
  withTarget(pagerDutyFixture, 'accept', async (target) => {
    const pd = target.receiver;
    const config = await configFor(target.spec);
    await withPort(config, { env: target.env }, async ({ store, port }) => {
      await port.dispatch(page(['oncall']), noReport);
      await port.dispatch(resolvePage(), noReport);

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
      assert.ok(
        (details.timeline as string[]).some((line) => line.includes('heal: restart 2 of 3')),
      );
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
    });
  }));

test('pagerduty: a summary over 1024 characters is cut to 1024, and the event is accepted', () =>
  withTarget(pagerDutyFixture, 'accept', async (target) => {
    const config = await configFor(target.spec);
    await withPort(config, { env: target.env }, async ({ store, port }) => {
      await port.dispatch({ ...page(['oncall']), summary: `api: ${'y'.repeat(3000)}` }, noReport);
      const payload = (target.receiver.requests[0]!.body as { payload: { summary: string } })
        .payload;
      assert.equal(payload.summary.length, 1024);
      assert.match(payload.summary, /\[\.\.\. truncated by mend\]$/);
      assert.equal((await timelineOf(store)).at(-1)!.type, 'notification');
    });
  }));

test('pagerduty: a resolve goes only to the notifiers that received the page', () =>
  withTarget(pagerDutyFixture, 'accept', async (target) => {
    const config = await configFor(target.spec);
    await withPort(config, { env: target.env }, async ({ port }) => {
      await port.dispatch(resolvePage(), noReport);
    });
    assert.equal(target.receiver.requests.length, 0);
  }));

test('pagerduty: a resolve dispatched while its page is still being retried waits for it, then resolves', async () => {
  // The first event is answered late with a 503; PagerDuty itself answers the rest.
  const slow: Receiver = await startPagerDutyReceiver((_request, index) =>
    index === 0 ? { status: 503, delayMs: 100 } : undefined,
  );
  try {
    const spec = {
      routingKey: { valueFrom: { env: 'PD_ROUTING_KEY' } },
      url: `${slow.url}/v2/enqueue`,
    };
    const config = await loadYaml(notifierOf('oncall', 'pagerduty', spec));
    await withPort(config, { env: { PD_ROUTING_KEY: ROUTING_KEY } }, async ({ port }) => {
      // As the decision loop does: dispatch and move on; the incident recovers meanwhile.
      const paging = port.dispatch(page(['oncall']), noReport);
      await slow.waitFor(1);
      await port.dispatch(resolvePage(), noReport);
      await paging;
    });
    assert.deepEqual(
      slow.requests.map((r) => (r.body as { event_action: string }).event_action),
      ['trigger', 'trigger', 'resolve'],
    );
  } finally {
    await slow.close();
  }
});

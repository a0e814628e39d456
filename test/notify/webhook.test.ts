import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { notificationSchema } from '../../src/notify/notification.ts';
import {
  PAYLOAD_SCHEMA_FILE,
  REGENERATE_PAYLOAD_SCHEMA,
  renderPayloadSchema,
} from '../../src/notify/payload-schema.ts';
import { HOOK_TOKEN, webhookFixture } from './contract/webhook.ts';
import { withTarget } from './contract.ts';
import {
  approval,
  FAST,
  loadYaml,
  noReport,
  notifierOf,
  page,
  resolvePage,
  withPort,
} from './fixtures.ts';

// What every kind shares (retries, refusals, timeouts, redaction) is in the contract suite;
// here: the webhook's own wire format, the documented JSON.

const POLICY = `apiVersion: mend/v1
kind: Policy
metadata: {name: restart-api}
spec:
  page: {notifiers: [hook]}
  escalate: {notifiers: [hook]}
---
`;

test(`${PAYLOAD_SCHEMA_FILE} is up to date (regenerate: ${REGENERATE_PAYLOAD_SCHEMA})`, async () => {
  const committed = await readFile(
    new URL(`../../${PAYLOAD_SCHEMA_FILE}`, import.meta.url),
    'utf8',
  );
  assert.equal(committed, renderPayloadSchema());
});

test('webhook: page, approval and resolve POST the documented JSON, with the configured headers', () =>
  withTarget(webhookFixture, 'accept', async (hook) => {
    const config = await loadYaml(`${POLICY}${notifierOf('hook', 'webhook', hook.spec)}`);
    await withPort(config, { env: hook.env }, async ({ port }) => {
      await port.dispatch(page(['hook']), noReport);
      await port.dispatch(approval(), noReport);
      await port.dispatch(resolvePage(), noReport);
    });

    const { requests } = hook.receiver;
    assert.equal(requests.length, 3);
    const bodies = requests.map((r) => notificationSchema.parse(r.body));
    for (const r of requests) {
      assert.equal(r.method, 'POST');
      assert.equal(r.path, '/mend');
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers.authorization, HOOK_TOKEN);
      assert.equal(r.headers['x-team'], 'payments');
    }
    const [paged, asked, resolved] = bodies;
    assert.deepEqual(
      bodies.map((b) => [b.event, b.key, b.dedupKey]),
      [
        ['page', 'inc-1:page:1', 'inc-1'],
        ['approval', 'inc-1:approval:1', 'inc-1'],
        ['resolve', 'inc-1:page:1:resolve', 'inc-1'],
      ],
    );
    assert.equal(paged!.service, 'api');
    assert.equal(paged!.attempts, 2);
    assert.equal(paged!.chronic, false);
    assert.equal(paged!.reason!.code, 'breaker-open');
    const observations = paged!.evidence[0]!.observations;
    assert.equal(observations.length, 5);
    // The last observation's 5000-character output, bounded to 1024.
    assert.equal(observations.at(-1)!.output!.length, 1024);
    assert.deepEqual(
      paged!.timeline.map((e) => e.type),
      ['opened', 'signal', 'decision', 'decision'],
    );
    assert.deepEqual(asked!.approval, {
      id: 'inc-1:approval:1',
      expiresAt: '2026-11-24T10:15:00.000Z',
      runbook: 'restart',
      params: { unit: 'api' },
      attempt: 1,
      approveCommand: 'mend approve inc-1:approval:1',
      denyCommand: 'mend deny inc-1:approval:1',
    });
    // The resolve's timeline shows the page that went out.
    assert.ok(
      resolved!.timeline.some((e) =>
        /^notification: page inc-1:page:1 to hook \(webhook\): delivered after 1 attempt/.test(
          e.text,
        ),
      ),
      JSON.stringify(resolved!.timeline),
    );
  }));

test('webhook: approval requests skip notifiers with approvals: false', () =>
  withTarget(webhookFixture, 'accept', async (hook) => {
    const config = await loadYaml(
      `${POLICY}${notifierOf('hook', 'webhook', hook.spec, `  approvals: false\n${FAST}`)}`,
    );
    await withPort(config, { env: hook.env }, async ({ port }) => {
      await port.dispatch(approval(), noReport);
    });
    assert.equal(hook.receiver.requests.length, 0);
  }));

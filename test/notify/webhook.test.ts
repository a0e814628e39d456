import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { notificationSchema } from '../../src/notify/notification.ts';
import {
  PAYLOAD_SCHEMA_FILE,
  REGENERATE_PAYLOAD_SCHEMA,
  renderPayloadSchema,
} from '../../src/notify/payload-schema.ts';
import {
  approval,
  FAST,
  loadYaml,
  memoryStore,
  noReport,
  notifier,
  page,
  port,
  resolvePage,
  seedIncident,
} from './fixtures.ts';
import { type Receiver, startReceiver } from './http-receiver.ts';

let hook: Receiver;
before(async () => {
  // Answers as a strict receiver would: 422 when the payload breaks the documented schema.
  hook = await startReceiver((request) =>
    notificationSchema.safeParse(request.body).success ? { status: 204 } : { status: 422 },
  );
});
after(() => hook.close());

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

test('webhook: page, approval and resolve POST the documented JSON, with the configured headers', async () => {
  hook.requests.length = 0;
  const store = await memoryStore();
  await seedIncident(store);
  const config = await loadYaml(
    `${POLICY}${notifier(
      'hook',
      `  webhook:\n    url: ${hook.url}/mend\n    headers:\n      - {name: Authorization, valueFrom: {env: HOOK_TOKEN}}\n      - {name: X-Team, value: payments}\n${FAST}`,
    )}`,
  );
  const p = port(store, config, { env: { HOOK_TOKEN: 'Bearer s3cr3t-token' } });
  await p.dispatch(page(['hook']), noReport);
  await p.dispatch(approval(), noReport);
  await p.dispatch(resolvePage(), noReport);

  assert.equal(hook.requests.length, 3);
  const bodies = hook.requests.map((r) => notificationSchema.parse(r.body));
  for (const r of hook.requests) {
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/mend');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers.authorization, 'Bearer s3cr3t-token');
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
  await store.close();
});

test('webhook: approval requests skip notifiers with approvals: false', async () => {
  hook.requests.length = 0;
  const store = await memoryStore();
  await seedIncident(store);
  const config = await loadYaml(
    `${POLICY}${notifier('hook', `  webhook: {url: "${hook.url}/mend"}\n  approvals: false\n${FAST}`)}`,
  );
  await port(store, config).dispatch(approval(), noReport);
  assert.equal(hook.requests.length, 0);
  await store.close();
});

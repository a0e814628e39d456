import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeliveryRecord } from '../../src/notify/notification-ledger.ts';
import { REDACTED } from '../../src/secrets/redactor.ts';
import {
  captureLog,
  FAST,
  loadYaml,
  memoryStore,
  noReport,
  notifier,
  page,
  port,
  seedIncident,
  timelineOf,
} from './fixtures.ts';
import { type Answer, type Receiver, startReceiver } from './http-receiver.ts';

async function withReceiver(
  answer: (index: number) => Answer,
  use: (receiver: Receiver) => Promise<void>,
): Promise<void> {
  const receiver = await startReceiver((_request, index) => answer(index));
  try {
    await use(receiver);
  } finally {
    await receiver.close();
  }
}

const hookConfig = (url: string, extra = FAST) =>
  loadYaml(notifier('hook', `  webhook: {url: "${url}"}\n${extra}`));

async function notifications(store: Awaited<ReturnType<typeof memoryStore>>) {
  return (await timelineOf(store))
    .filter((e) => e.type.startsWith('notification'))
    .map((e) => ({ type: e.type, ...(e.payload as DeliveryRecord) }));
}

test('a receiver that fails twice then succeeds: delivered on the third attempt', async () => {
  await withReceiver(
    (i) => (i < 2 ? { status: 503, body: 'busy' } : { status: 200 }),
    async (receiver) => {
      const store = await memoryStore();
      await seedIncident(store);
      await port(store, await hookConfig(receiver.url)).dispatch(page(['hook']), noReport);
      assert.equal(receiver.requests.length, 3);
      const [recorded] = await notifications(store);
      assert.deepEqual(
        { ...recorded, durationMs: undefined },
        {
          type: 'notification',
          key: 'inc-1:page:1',
          event: 'page',
          dedupKey: 'inc-1',
          notifier: 'hook',
          pageId: 'inc-1:page:1',
          kind: 'webhook',
          attempts: 3,
          durationMs: undefined,
        },
      );
      await store.close();
    },
  );
});

test('a receiver that always fails: every attempt made, recorded as notification-failed, dispatch resolves', async () => {
  await withReceiver(
    () => ({ status: 500, body: 'internal error' }),
    async (receiver) => {
      const store = await memoryStore();
      await seedIncident(store);
      await port(store, await hookConfig(receiver.url)).dispatch(page(['hook']), noReport);
      assert.equal(receiver.requests.length, 3);
      const [failed] = await notifications(store);
      assert.equal(failed!.type, 'notification-failed');
      assert.equal(failed!.attempts, 3);
      assert.equal(
        failed!.error,
        `${receiver.url} answered 500: internal error (after 3 attempts)`,
      );
      await store.close();
    },
  );
});

test('a 4xx is terminal: one attempt, no retry', async () => {
  await withReceiver(
    () => ({ status: 400, body: 'invalid payload' }),
    async (receiver) => {
      const store = await memoryStore();
      await seedIncident(store);
      await port(store, await hookConfig(receiver.url)).dispatch(page(['hook']), noReport);
      assert.equal(receiver.requests.length, 1);
      const [failed] = await notifications(store);
      assert.deepEqual(
        [failed!.attempts, failed!.error],
        [1, `${receiver.url} answered 400: invalid payload`],
      );
      await store.close();
    },
  );
});

test('a receiver that never answers: each attempt times out, retried, then recorded', async () => {
  await withReceiver(
    () => ({ status: 200, hang: true }),
    async (receiver) => {
      const store = await memoryStore();
      await seedIncident(store);
      const started = Date.now();
      await port(
        store,
        await hookConfig(
          receiver.url,
          '  attempts: 2\n  timeout: 200ms\n  backoff: {initial: 10ms, max: 10ms}\n',
        ),
      ).dispatch(page(['hook']), noReport);
      const took = Date.now() - started;
      assert.ok(took >= 400 && took < 2000, `took ${took} ms`);
      assert.equal(receiver.requests.length, 2);
      const [failed] = await notifications(store);
      assert.equal(failed!.error, 'no answer within 200 ms (after 2 attempts)');
      await store.close();
    },
  );
});

test('a refused connection is retried and recorded; one notifier failing does not stop the others', async () => {
  await withReceiver(
    () => ({ status: 200 }),
    async (receiver) => {
      const closed = await startReceiver(() => ({ status: 200 }));
      const deadUrl = closed.url;
      await closed.close();
      const store = await memoryStore();
      await seedIncident(store);
      const config = await loadYaml(
        notifier('dead', `  webhook: {url: "${deadUrl}"}\n${FAST}`) +
          notifier('hook', `  webhook: {url: "${receiver.url}"}\n${FAST}`),
      );
      await port(store, config).dispatch(page(['dead', 'hook', 'ghost']), noReport);
      assert.equal(receiver.requests.length, 1);
      const byNotifier = Object.fromEntries(
        (await notifications(store)).map((n) => [n.notifier, n]),
      );
      assert.equal(byNotifier.hook!.type, 'notification');
      assert.equal(byNotifier.dead!.type, 'notification-failed');
      assert.match(
        String(byNotifier.dead!.error),
        /^cannot POST to http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.* \(after 3 attempts\)$/,
      );
      assert.deepEqual(
        [byNotifier.ghost!.type, byNotifier.ghost!.error],
        ['notification-failed', 'no Notifier named "ghost" in the config'],
      );
      await store.close();
    },
  );
});

test('secrets are redacted in what is recorded and logged, even when a receiver echoes them', async () => {
  // A receiver that answers 404 quoting the request path, as Slack's answers quote URLs.
  const echo = await startReceiver((request) => ({
    status: 404,
    body: `no_service for ${request.path} key=${String((request.body as { routing_key?: string }).routing_key)}`,
  }));
  try {
    const store = await memoryStore();
    await seedIncident(store);
    const config = await loadYaml(
      notifier('chat', `  slack: {webhookUrl: {valueFrom: {env: SLACK_URL}}}\n${FAST}`) +
        notifier(
          'oncall',
          `  pagerduty: {routingKey: {valueFrom: {env: PD_KEY}}, url: "${echo.url}/v2/enqueue"}\n${FAST}`,
        ),
    );
    const { log, lines } = captureLog();
    const secretPath = '/services/T0SECRET/B0SECRET/hunter2hunter2hunter2';
    const env = { SLACK_URL: `${echo.url}${secretPath}`, PD_KEY: 'pd-routing-key-very-secret' };
    await port(store, config, { env, log }).dispatch(page(['chat', 'oncall']), noReport);
    assert.equal(echo.requests.length, 2);
    const recorded = JSON.stringify(await timelineOf(store));
    const logged = lines.join('');
    for (const text of [recorded, logged]) {
      assert.doesNotMatch(text, /hunter2|T0SECRET|pd-routing-key-very-secret/);
      assert.ok(text.includes(REDACTED), 'the redaction shows');
    }
    const failed = (await notifications(store)).map((n) => n.error);
    assert.ok(
      failed.includes(`${echo.url} answered 404: no_service for ${REDACTED} key=undefined`),
    );
    assert.ok(
      failed.includes(`${echo.url} answered 404: no_service for /v2/enqueue key=${REDACTED}`),
    );
    await store.close();
  } finally {
    await echo.close();
  }
});

test('a secret that cannot be read is terminal and says where mend looked, not what it found', async () => {
  const store = await memoryStore();
  await seedIncident(store);
  const config = await loadYaml(
    notifier('oncall', `  pagerduty: {routingKey: {valueFrom: {env: PD_KEY}}}\n${FAST}`) +
      notifier(
        'mail',
        `  slack: {webhookUrl: {valueFrom: {file: /nonexistent/slack-url}}}\n${FAST}`,
      ),
  );
  await port(store, config).dispatch(page(['oncall', 'mail']), noReport);
  const errors = Object.fromEntries(
    (await notifications(store)).map((n) => [n.notifier, [n.attempts, n.error]]),
  );
  assert.deepEqual(errors.oncall, [1, 'the environment variable PD_KEY is not set']);
  assert.deepEqual(errors.mail, [
    1,
    "cannot read the secret file /nonexistent/slack-url: ENOENT: no such file or directory, open '/nonexistent/slack-url'",
  ]);
  await store.close();
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PageCommand } from '../../src/policy/types.ts';
import {
  FAST,
  loadYaml,
  memoryStore,
  noReport,
  notifier,
  page,
  port,
  REASON,
  resolvePage,
  seedIncident,
} from './fixtures.ts';
import { type Receiver, startReceiver } from './http-receiver.ts';

let hook: Receiver;
let failing = false;
before(async () => {
  hook = await startReceiver((request) =>
    failing && request.path === '/flaky' ? { status: 500 } : { status: 200 },
  );
});
after(() => hook.close());

const config = () =>
  loadYaml(
    notifier('a', `  webhook: {url: "${hook.url}/a"}\n${FAST}`) +
      notifier('b', `  webhook: {url: "${hook.url}/flaky"}\n  attempts: 1\n`),
  );

test('the same page dispatched again, after a restart, or twice at once, is delivered once', async () => {
  hook.requests.length = 0;
  const store = await memoryStore();
  await seedIncident(store);
  const cfg = await config();
  const first = port(store, cfg);
  await Promise.all([first.dispatch(page(['a']), noReport), first.dispatch(page(['a']), noReport)]);
  await first.dispatch(page(['a']), noReport);
  // A new port over the same store: mend restarted and re-dispatched the planned command.
  await port(store, cfg).dispatch(page(['a']), noReport);
  assert.equal(hook.requests.length, 1);
  await store.close();
});

test('a re-dispatch sends only to the notifiers that did not get it', async () => {
  hook.requests.length = 0;
  const store = await memoryStore();
  await seedIncident(store);
  const cfg = await config();
  failing = true;
  await port(store, cfg).dispatch(page(['a', 'b']), noReport);
  failing = false;
  await port(store, cfg).dispatch(page(['a', 'b']), noReport);
  assert.deepEqual(
    hook.requests.map((r) => r.path),
    ['/a', '/flaky', '/flaky'],
  );
  // Both then get the resolve, once, however often it is dispatched.
  await port(store, cfg).dispatch(resolvePage(), noReport);
  await port(store, cfg).dispatch(resolvePage(), noReport);
  assert.deepEqual(
    hook.requests.slice(3).map((r) => [r.path, (r.body as { event: string }).event]),
    [
      ['/a', 'resolve'],
      ['/flaky', 'resolve'],
    ],
  );
  await store.close();
});

test('a blast-radius group page is recorded on each incident and resolved after a restart', async () => {
  hook.requests.length = 0;
  const store = await memoryStore();
  await seedIncident(store, 'inc-1', 'api');
  await seedIncident(store, 'inc-2', 'worker');
  const cfg = await config();
  const group: PageCommand = {
    kind: 'page',
    id: 'blast:restart:1',
    idempotencyKey: 'blast:restart:1',
    target: 'blast:restart:1',
    incidentIds: ['inc-1', 'inc-2'],
    notifiers: ['a'],
    summary: '2 of 2 services unhealthy (policy restart): healing stopped',
    reason: { ...REASON, code: 'blast-radius', guardrail: 'blast-radius' },
  };
  await port(store, cfg).dispatch(group, noReport);
  await port(store, cfg).dispatch(group, noReport);
  await port(store, cfg).dispatch(
    {
      kind: 'resolvePage',
      id: 'blast:restart:1',
      idempotencyKey: 'blast:restart:1',
      target: 'blast:restart:1',
      summary: '0 unhealthy, within maxUnhealthy 1 of policy restart: healing resumes',
    },
    noReport,
  );
  assert.deepEqual(
    hook.requests.map((r) => {
      const body = r.body as { event: string; dedupKey: string; incidents: string[] };
      return [body.event, body.dedupKey, body.incidents];
    }),
    [
      ['page', 'blast:restart:1', ['inc-1', 'inc-2']],
      ['resolve', 'blast:restart:1', ['inc-2', 'inc-1']],
    ],
  );
  await store.close();
});

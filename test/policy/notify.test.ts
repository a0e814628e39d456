import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Input } from '../../src/policy/index.ts';
import { firing, makeConfig, outcome, resolved, run, T0 } from './helpers.ts';

const config = makeConfig({
  services: [{ name: 'api' }],
  policies: { restart: { heal: { runbook: 'restart' }, escalate: { notifiers: ['oncall'] } } },
});

const notify = (at: number, commandId: string, key: string): Input => ({
  kind: 'notify',
  at,
  commandId,
  key,
  notifiers: ['chat'],
  message: 'restarting api',
});

test("a runbook's notify step becomes a page about the heal's incident, keyed by the step", () => {
  const { steps } = run(config, [
    firing('api', T0),
    notify(T0 + 100, 'inc-1:heal:1', 'inc-1:heal:1:steps:0:1'),
  ]);
  const decided = steps[1]!;
  assert.deepEqual(decided.commands, [
    {
      kind: 'page',
      id: 'inc-1:heal:1:steps:0:1',
      idempotencyKey: 'inc-1:heal:1:steps:0:1',
      target: 'inc-1',
      incidentIds: ['inc-1'],
      notifiers: ['chat'],
      summary: 'restarting api',
      reason: decided.reasons[0],
    },
  ]);
  assert.equal(decided.reasons[0]?.code, 'runbook-notify');
  assert.equal(
    decided.reasons[0]?.message,
    'runbook of inc-1:heal:1 notifies chat: restarting api',
  );
  // Nothing about the heal itself changed: it is still in flight.
  assert.deepEqual(decided.state.inFlight, steps[0]!.state.inFlight);
});

test('a notify step of a heal that is not in flight pages nobody, and says why', () => {
  const { steps } = run(config, [
    firing('api', T0),
    outcome('inc-1:heal:1', T0 + 50, 'succeeded'),
    notify(T0 + 100, 'inc-1:heal:1', 'inc-1:heal:1:steps:0:1'),
    notify(T0 + 100, 'inc-9:heal:1', 'inc-9:heal:1:steps:0:1'),
  ]);
  for (const decided of steps.slice(2)) {
    assert.deepEqual(decided.commands, []);
    assert.equal(decided.reasons[0]?.code, 'unknown-command');
    assert.match(decided.reasons[0]!.message, /not in flight .*: nothing sent to chat$/);
  }
});

test('a page sent by a notify step is resolved with the other pages when its incident closes', () => {
  const { steps } = run(config, [
    firing('api', T0),
    notify(T0 + 100, 'inc-1:heal:1', 'inc-1:heal:1:steps:0:1'),
    outcome('inc-1:heal:1', T0 + 200, 'succeeded'),
    resolved('api', T0 + 300),
  ]);
  const closed = steps[3]!;
  assert.ok(
    closed.events.some((e) => e.type === 'resolved'),
    'the incident closed',
  );
  assert.deepEqual(
    closed.commands.filter((c) => c.kind === 'resolvePage').map((c) => c.id),
    ['inc-1:heal:1:steps:0:1'],
  );
});

test('a notify step is not the escalation: a breaker that opens after it still pages on-call', () => {
  const once = makeConfig({
    services: [{ name: 'api' }],
    policies: {
      restart: {
        heal: { runbook: 'restart' },
        maxAttempts: 1,
        window: '1h',
        escalate: { notifiers: ['oncall'] },
      },
    },
  });
  const { steps } = run(once, [
    firing('api', T0),
    notify(T0 + 100, 'inc-1:heal:1', 'inc-1:heal:1:steps:0:1'),
    outcome('inc-1:heal:1', T0 + 200, 'failed'),
    firing('api', T0 + 300),
  ]);
  const pages = steps
    .flatMap((step) => step.commands)
    .filter((c) => c.kind === 'page' && c.notifiers.includes('oncall'));
  assert.equal(pages.length, 1, JSON.stringify(steps.map((s) => s.reasons.map((r) => r.message))));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countDecision, engineFigures } from '../../src/decisions/decision-metrics.ts';
import { createMetrics } from '../../src/support/metrics.ts';
import { parseExposition } from '../helpers/exposition.ts';
import { firing, makeConfig, outcome, resolved, run, T0 } from '../policy/helpers.ts';

const S = 1000;
const MIN = 60 * S;

const breakerConfig = makeConfig({
  services: [{ name: 'api' }],
  policies: {
    restart: {
      heal: { runbook: 'restart' },
      escalate: { notifiers: ['oncall'] },
      maxAttempts: 2,
      window: '10m',
      cooldown: '1m',
    },
  },
});

test('breakers open: counted while open, not once the window passed (half-open) or closed', () => {
  const { state } = run(breakerConfig, [
    firing('api', T0),
    outcome('inc-1:heal:1', T0 + 10 * S, 'failed'),
    // The second heal runs after the cooldown; its failure asks a third: the breaker opens.
    outcome('inc-1:heal:2', T0 + 80 * S, 'failed'),
  ]);
  const opened = T0 + 80 * S;
  assert.deepEqual(engineFigures(state, opened + S), {
    breakersOpen: 1,
    openIncidents: 1,
    approvalsWaiting: 0,
  });
  // Still stored as open until the engine next looks; its window has passed: half-open.
  assert.equal(engineFigures(state, opened + 10 * MIN - 1).breakersOpen, 1);
  assert.equal(engineFigures(state, opened + 10 * MIN).breakersOpen, 0);
});

test('approvals waiting: counted until approved; incidents open until resolved', () => {
  const config = makeConfig({
    services: [{ name: 'api' }, { name: 'db' }],
    policies: {
      restart: {
        heal: { runbook: 'restart' },
        requireApproval: { expiresAfter: '10m' },
        escalate: { notifiers: ['oncall'] },
      },
    },
  });
  const both = run(config, [firing('api', T0), firing('db', T0 + S)]);
  assert.deepEqual(engineFigures(both.state, T0 + 2 * S), {
    breakersOpen: 0,
    openIncidents: 2,
    approvalsWaiting: 2,
  });
  const approved = run(
    config,
    [
      {
        kind: 'approval',
        at: T0 + 3 * S,
        approvalId: 'inc-1:approval:1',
        verdict: 'approve',
        actor: 'alice',
      },
      resolved('db', T0 + 4 * S),
    ],
    both.state,
  );
  assert.deepEqual(engineFigures(approved.state, T0 + 5 * S), {
    breakersOpen: 0,
    openIncidents: 1,
    approvalsWaiting: 0,
  });
});

test('decisions count by verdict and reason code; a closed incident by how long it was open', async () => {
  const metrics = createMetrics();
  const { steps } = run(breakerConfig, [
    firing('api', T0),
    outcome('inc-1:heal:1', T0 + 10 * S, 'succeeded'),
    // Within the cooldown: no second heal.
    resolved('api', T0 + 40 * S),
  ]);
  for (const step of steps) countDecision(metrics, step);
  const m = parseExposition(await metrics.registry.metrics());
  assert.equal(m.value('mend_decisions_total', { verdict: 'heal', reason: 'heal' }), 1);
  const how = { how: 'recovered-after-heal' };
  assert.equal(m.value('mend_time_to_recover_seconds_count', how), 1);
  assert.equal(m.value('mend_time_to_recover_seconds_sum', how), 40);
  assert.equal(m.value('mend_time_to_recover_seconds_bucket', { ...how, le: '30' }), 0);
  assert.equal(m.value('mend_time_to_recover_seconds_bucket', { ...how, le: '60' }), 1);
});

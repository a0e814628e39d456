import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incidentFigures } from '../../src/incidents/figures.ts';
import { firing, outcome, resolved, T0 } from '../policy/helpers.ts';
import { recordsOf } from './records.ts';

const restart = {
  restart: {
    heal: { runbook: 'restart' },
    escalate: { notifiers: ['oncall'] },
    cooldown: '30s',
    maxAttempts: 3,
    window: '1h',
  },
};

/** A signal that fired at `at` after failing since `startsAt`. */
const fire = (service: string, at: number, startsAt: number) => firing(service, at, { startsAt });

test('a healed incident: detect, decide and recover, heals by runbook, outcome', () => {
  const [record] = recordsOf(restart, [
    fire('api', T0 + 3000, T0),
    outcome('inc-1:heal:1', T0 + 12_000, 'succeeded'),
    resolved('api', T0 + 20_000),
  ]);
  const f = incidentFigures(record!);
  assert.deepEqual(f.lead, { fingerprint: 'api/live', check: 'live', startsAt: T0, at: T0 + 3000 });
  assert.equal(f.timeToDetectMs, 3000, 'first failed observation -> signal');
  assert.equal(f.timeToDecideMs, 0, 'signal -> the heal decision');
  assert.equal(f.decided, 'heal');
  assert.equal(f.timeToRecoverMs, 9000, 'signal -> verified healthy, not -> resolved');
  assert.equal(f.recoveredBy, 'verified-heal');
  assert.equal(f.impactMs, 12_000);
  assert.equal(f.attempts, 1);
  assert.deepEqual(f.heals, [
    { runbook: 'restart', attempts: 1, succeeded: 1, failed: 0, unknown: 0, inFlight: 0 },
  ]);
  assert.equal(f.outcome, 'healed');
  assert.equal(f.pages, 0);
  assert.equal(f.chronic, null);
});

test('failed heals then recovery: recovered when every signal resolved', () => {
  const [record] = recordsOf(restart, [
    fire('api', T0, T0 - 5000),
    outcome('inc-1:heal:1', T0 + 10_000, 'failed'),
    resolved('api', T0 + 25_000),
  ]);
  const f = incidentFigures(record!);
  assert.equal(f.recoveredBy, 'signals-resolved');
  assert.equal(f.timeToRecoverMs, 25_000);
  assert.equal(f.outcome, 'resolved-after-failed-heals');
  assert.equal(f.heals[0]?.failed, 1);
});

test('a success followed by another heal is not the recovery; a heal without outcome is in flight', () => {
  const [record] = recordsOf(restart, [
    fire('api', T0, T0),
    outcome('inc-1:heal:1', T0 + 10_000, 'succeeded'),
    // Still failing after the cooldown: healed again; that heal never reports.
    { kind: 'tick', at: T0 + 41_000 },
    resolved('api', T0 + 60_000),
  ]);
  const f = incidentFigures(record!);
  assert.equal(f.attempts, 2);
  assert.deepEqual(f.heals, [
    { runbook: 'restart', attempts: 2, succeeded: 1, failed: 0, unknown: 0, inFlight: 1 },
  ]);
  assert.equal(f.recoveredBy, 'signals-resolved');
  assert.equal(f.timeToRecoverMs, 60_000);
  assert.equal(f.outcome, 'healed');
});

test('an open incident has no recovery yet; a breaker page counts as the decision', () => {
  const records = recordsOf({ restart: { ...restart.restart, maxAttempts: 1 } }, [
    fire('api', T0, T0),
    outcome('inc-1:heal:1', T0 + 5000, 'succeeded'),
    resolved('api', T0 + 6000),
    fire('api', T0 + 60_000, T0 + 58_000),
  ]);
  const f = incidentFigures(records[1]!);
  assert.equal(f.outcome, 'open');
  assert.equal(f.recoveredAt, null);
  assert.equal(f.timeToRecoverMs, null);
  assert.equal(f.pages, 1);
  assert.equal(f.decided, 'breaker-open: page');
  assert.equal(f.timeToDecideMs, 0);
  assert.equal(f.timeToDetectMs, 2000);
});

test('shadow decisions are counted as what mend would have done', () => {
  const [record] = recordsOf({ restart: { ...restart.restart, shadow: true } }, [
    fire('worker', T0, T0),
    resolved('worker', T0 + 45_000),
  ]);
  const f = incidentFigures(record!);
  assert.equal(f.wouldHeal, 1);
  assert.equal(f.attempts, 0);
  assert.equal(f.decided, 'would-heal');
  assert.equal(f.outcome, 'resolved-without-heal');
});

test('the third verified heal flags the incident chronic, with the numbers', () => {
  const inputs = [0, 1, 2].flatMap((n) => [
    fire('api', T0 + n * 60_000, T0 + n * 60_000),
    outcome(`inc-${n + 1}:heal:1`, T0 + n * 60_000 + 5000, 'succeeded'),
    resolved('api', T0 + n * 60_000 + 6000),
  ]);
  const records = recordsOf(restart, inputs);
  assert.deepEqual(
    records.map((r) => incidentFigures(r).chronic?.heals ?? null),
    [null, null, 3],
  );
  assert.match(
    incidentFigures(records[2]!).chronic!.message,
    /^api healed 3 times in 24h: healing is hiding a recurring failure/,
  );
});

test('without a stored signal, the lead comes from the journaled input', () => {
  const [record] = recordsOf(restart, [fire('api', T0 + 3000, T0)]);
  record!.signals = [];
  assert.equal(incidentFigures(record!).timeToDetectMs, 3000);
});

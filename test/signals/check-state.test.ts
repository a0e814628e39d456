import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  applyObservation,
  initialCheckState,
  type Transition,
} from '../../src/signals/check-state.ts';
import type { Observation } from '../../src/signals/observation.ts';

const obs = (char: string, startedAt: number): Observation => ({
  ok: char === '+',
  startedAt,
  durationMs: 1,
  ...(char === '+' ? {} : { error: `failure at ${startedAt}` }),
  ...(char === '?' ? { discarded: true } : {}),
});

/** Feed a pattern like "++-?-+" (one observation per second; ? discarded), collect transitions. */
function run(pattern: string, failureThreshold: number, successThreshold: number) {
  const state = initialCheckState();
  const transitions: (Transition & { index: number })[] = [];
  [...pattern].forEach((char, index) => {
    const transition = applyObservation(state, obs(char, index * 1000), {
      failureThreshold,
      successThreshold,
    });
    if (transition) transitions.push({ ...transition, index });
  });
  return { state, transitions };
}

test('thresholds decide transitions exactly, with Kubernetes semantics', () => {
  const cases: [string, number, number, string][] = [
    // pattern, failureThreshold, successThreshold, expected transitions "index:to"
    ['---', 3, 1, '2:failing'],
    ['--', 3, 1, ''],
    ['--+--', 3, 1, ''],
    ['---+', 3, 1, '2:failing 3:healthy'],
    ['---+-+', 3, 2, '2:failing'],
    ['---++', 3, 2, '2:failing 4:healthy'],
    ['+++---', 3, 1, '5:failing'],
    ['-', 1, 1, '0:failing'],
    ['-+-+-+', 1, 1, '0:failing 1:healthy 2:failing 3:healthy 4:failing 5:healthy'],
    ['++++', 3, 1, ''],
    ['---------', 3, 1, '2:failing'],
  ];
  for (const [pattern, failureThreshold, successThreshold, expected] of cases) {
    const { transitions } = run(pattern, failureThreshold, successThreshold);
    const actual = transitions.map((t) => `${t.index}:${t.to}`).join(' ');
    assert.equal(
      actual,
      expected,
      `pattern ${pattern} f=${failureThreshold} s=${successThreshold}`,
    );
  }
});

test('a failure starts at its first failed observation, through partial recoveries', () => {
  const { transitions } = run('+--+--+-+++', 2, 3);
  assert.deepEqual(
    transitions.map((t) => [t.to, t.startsAt]),
    [
      ['failing', 1000],
      ['healthy', 1000],
    ],
  );
  const { transitions: again } = run('--++', 2, 2);
  assert.equal(again[1]?.startsAt, 0, 'the resolved signal names when the failure began');
});

test('a discarded result neither advances nor resets a run, and is no evidence, as kubelet throws it away', () => {
  const cases: [string, number, number, string][] = [
    ['-?-?-', 3, 1, '4:failing'],
    ['--?+-', 3, 1, ''],
    ['---+?+', 3, 2, '2:failing 5:healthy'],
    ['???', 1, 1, ''],
    ['+?-', 1, 1, '2:failing'],
  ];
  for (const [pattern, failureThreshold, successThreshold, expected] of cases) {
    const { transitions } = run(pattern, failureThreshold, successThreshold);
    const actual = transitions.map((t) => `${t.index}:${t.to}`).join(' ');
    assert.equal(actual, expected, `pattern ${pattern}`);
  }
  const { state } = run('--??', 3, 1);
  assert.deepEqual(
    [state.status, state.consecutiveFailures, state.failingSince, state.recent.length],
    ['unknown', 2, 0, 2],
  );
  const healthy = run('+??', 3, 1).state;
  assert.deepEqual([healthy.status, healthy.consecutiveSuccesses], ['healthy', 1]);
});

test('evidence keeps the last observations around a failure, one while healthy', () => {
  const { state } = run('+-+-+-+-', 100, 1);
  assert.equal(state.recent.length, 5);
  assert.equal(state.recent.at(-1)?.startedAt, 7000);
  const healthy = run('++++', 3, 1).state;
  assert.deepEqual(
    healthy.recent.map((o) => o.startedAt),
    [3000],
  );
  const fired = run('+++---', 3, 1).state;
  assert.deepEqual(
    fired.recent.map((o) => o.startedAt),
    [2000, 3000, 4000, 5000],
    'the last success before the failure is the context',
  );
  const resolved = run('+++---+', 3, 1).state;
  assert.equal(resolved.recent.length, 5);
  const steady = run('+++---++', 3, 1).state;
  assert.deepEqual(
    steady.recent.map((o) => o.startedAt),
    [7000],
    'back to one once healthy',
  );
});

test('property: transitions alternate and respect the thresholds', () => {
  fc.assert(
    fc.property(
      fc.array(fc.boolean(), { maxLength: 200 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      (oks, failureThreshold, successThreshold) => {
        const pattern = oks.map((ok) => (ok ? '+' : '-')).join('');
        const { transitions } = run(pattern, failureThreshold, successThreshold);
        let expected: 'failing' | 'healthy' = 'failing';
        for (const t of transitions) {
          assert.equal(t.to, expected);
          const need = t.to === 'failing' ? failureThreshold : successThreshold;
          const tail = pattern.slice(t.index + 1 - need, t.index + 1);
          assert.equal(tail, (t.to === 'failing' ? '-' : '+').repeat(need));
          expected = t.to === 'failing' ? 'healthy' : 'failing';
        }
      },
    ),
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashLoopHeals, median } from '../../src/demo/crash-loop-figures.ts';
import { recordsOf } from '../incidents/records.ts';
import { firing, outcome, resolved, T0 } from '../policy/helpers.ts';

const ladder = {
  ladder: {
    match: { matchers: ['reason="CrashLoopBackOff"'] },
    for: '1s',
    ladder: [
      { runbook: 'restart', deadline: '10s' },
      { runbook: 'undo', deadline: '1m' },
    ],
    cooldown: '0s',
  },
};

/** The watch's signal about a pod in CrashLoopBackOff. */
const crashLoop = (pod: string, at: number) =>
  firing('web', at, {
    check: undefined,
    fingerprint: `web/kubernetes/${pod}`,
    source: 'kubernetes',
    labels: {
      service: 'web',
      source: 'kubernetes',
      namespace: 'shop',
      pod,
      reason: 'CrashLoopBackOff',
    },
  });

test('a crash loop healed at the second rung: API event -> signal -> first heal decision -> the heal that succeeded', () => {
  const records = recordsOf(ladder, [
    crashLoop('web-a', T0 + 5),
    { kind: 'tick', at: T0 + 1005 },
    outcome('inc-1:heal:1', T0 + 11_000, 'failed'),
    { kind: 'tick', at: T0 + 12_000 },
    outcome('inc-1:heal:2', T0 + 20_000, 'succeeded'),
    resolved('web', T0 + 21_000),
  ]);
  const rows = crashLoopHeals(records, [
    { namespace: 'shop', pod: 'web-z', at: T0 - 60_000 }, // another pod, long before
    { namespace: 'shop', pod: 'web-a', at: T0 },
  ]);
  assert.deepEqual(rows, [
    {
      incident: 'inc-1',
      pod: 'shop/web-a',
      crashLoopAt: T0,
      toSignalMs: 5,
      toDecisionMs: 1005,
      toRecoveryMs: 20_000 - 1005,
    },
  ]);
});

test('no row without a heal, nor for a pod the cluster never saw crash-looping; no recovery without a success', () => {
  const unhealed = recordsOf(ladder, [crashLoop('web-a', T0 + 5)]);
  assert.deepEqual(crashLoopHeals(unhealed, [{ namespace: 'shop', pod: 'web-a', at: T0 }]), []);
  const healed = recordsOf(ladder, [
    crashLoop('web-a', T0 + 5),
    { kind: 'tick', at: T0 + 1005 },
    outcome('inc-1:heal:1', T0 + 11_000, 'failed'),
  ]);
  assert.deepEqual(crashLoopHeals(healed, [{ namespace: 'other', pod: 'web-a', at: T0 }]), []);
  assert.equal(
    crashLoopHeals(healed, [{ namespace: 'shop', pod: 'web-a', at: T0 }])[0]?.toRecoveryMs,
    null,
  );
});

test('median: the middle value, or the mean of the middle two; null for none', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), null);
});

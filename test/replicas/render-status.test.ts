import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderStatus } from '../../src/replicas/render-status.ts';

const base = { pid: 1, now: 0, leaseMs: 10_000, leader: undefined, replicas: [] };

test('mend status on a store no replica ever ran on says so, not "no leader"', () => {
  const text = renderStatus({ ...base, mode: 'replicas', epoch: 0 } as Parameters<
    typeof renderStatus
  >[0]);
  assert.match(text, /^no replicas have run on this store: a `mend run` without --replica/);
});

test('mend status after replicas ran and left: no leader now, and the next epoch', () => {
  const text = renderStatus({ ...base, mode: 'replicas', epoch: 4 } as Parameters<
    typeof renderStatus
  >[0]);
  assert.match(
    text,
    /^no leader now \(epoch 4: the next leader takes 5\); lease 10\.0 s\nno replicas have joined this store\n$/,
  );
});

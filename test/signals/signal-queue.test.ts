import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Signal } from '../../src/signals/signal.ts';
import { SignalQueue } from '../../src/signals/signal-queue.ts';
import { createLogger } from '../../src/support/log.ts';

const log = createLogger({ level: 'silent' });

function signal(i: number): Signal {
  return {
    fingerprint: `f${i}`,
    source: 'probe',
    service: 'api',
    check: 'live',
    labels: {},
    status: i % 2 === 0 ? 'firing' : 'resolved',
    startsAt: i,
    at: i,
    summary: `signal ${i}`,
    evidence: [],
  };
}

test('a consumer that fails for a while gets every signal, once, in order', async () => {
  const consumed: string[] = [];
  let failuresLeft = 3;
  const queue = new SignalQueue(
    {
      async consume(s) {
        if (failuresLeft-- > 0) throw new Error('database is locked');
        consumed.push(s.fingerprint);
      },
    },
    log,
  );
  for (let i = 0; i < 5; i++) queue.push(signal(i));
  await queue.flush(10_000);
  assert.deepEqual(consumed, ['f0', 'f1', 'f2', 'f3', 'f4']);
  assert.equal(queue.length, 0);
});

test('what cannot be handed over before the deadline is reported, not dropped quietly', async () => {
  const queue = new SignalQueue(
    {
      async consume() {
        throw new Error('disk full');
      },
    },
    log,
  );
  queue.push(signal(0));
  queue.push(signal(1));
  await assert.rejects(
    queue.flush(300),
    /^Error: 2 signal\(s\) could not be recorded before the deadline, the first: api\/live firing at/,
  );
  assert.equal(queue.length, 2);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InboxReader } from '../../src/replicas/inbox-reader.ts';
import { SignalRoute } from '../../src/replicas/signal-route.ts';
import type { Signal } from '../../src/signals/signal.ts';
import type { InboxSignal } from '../../src/store/replica-records.ts';
import { createLogger } from '../../src/support/log.ts';

const at = (n: number) => ({ at: n }) as unknown as Signal;

/** An inbox in memory, with the store's contract: ids in order, dropped once taken. */
function memoryInbox() {
  const rows: InboxSignal[] = [];
  let id = 0;
  return {
    rows,
    sendSignals: async (from: string, signals: readonly unknown[]) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      for (const signal of signals) rows.push({ id: ++id, from, sentAt: 0, signal });
    },
    inbox: async (limit: number) => rows.slice(0, limit),
    dropFromInbox: async (ids: readonly number[]) => {
      for (const taken of ids)
        rows.splice(
          rows.findIndex((r) => r.id === taken),
          1,
        );
    },
  };
}

test('a new leader decides its own signals in order across the switch from the inbox to its loop', async () => {
  const inbox = memoryInbox();
  const decided: number[] = [];
  const loop = { consume: async (signal: Signal) => void decided.push(signal.at) };
  const route = new SignalRoute({ consume: (s) => inbox.sendSignals('me', [s]) });
  // Signals sent while it followed (and one in flight as it starts to lead).
  await route.consume(at(1));
  await route.consume(at(2));
  const inFlight = route.consume(at(3));
  const reader = new InboxReader({
    store: inbox,
    consumer: loop,
    log: createLogger({ level: 'silent' }),
    pollMs: 10,
    route,
  });
  reader.start();
  await inFlight;
  for (let n = 4; n <= 20; n++) {
    await route.consume(at(n));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  await reader.stop();
  assert.deepEqual(
    decided,
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  assert.equal(inbox.rows.length, 0, 'everything taken from the inbox was dropped');
});

test('switchIfQuiet refuses while a signal is in flight or one went out since the mark', async () => {
  let release = () => {};
  const route = new SignalRoute({ consume: () => new Promise<void>((r) => (release = r)) });
  const to = { consume: async () => {} };
  const mark = route.mark();
  const sending = route.consume(at(1));
  assert.equal(route.switchIfQuiet(mark, to), false, 'in flight');
  release();
  await sending;
  assert.equal(route.switchIfQuiet(mark, to), false, 'one went out since the mark');
  assert.equal(route.switchIfQuiet(route.mark(), to), true);
});

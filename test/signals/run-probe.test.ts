import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runProbe } from '../../src/signals/run-probe.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { http, tcpServer } from '../probes/http-servers.ts';

test('a probe cut by its timeout says it timed out, however little of it the probe itself saw', async () => {
  // The clock fires the timeout at once in real time: the probe has not spent its 300 ms, and
  // must still call it a timeout, as it does when the scheduler's timer fires a little early.
  const silent = await tcpServer((socket) => socket.resume());
  try {
    const clock = new FakeClock();
    const run = runProbe(http({ url: silent.url() }), {
      timeoutMs: 300,
      maxOutputBytes: 1024,
      clock,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await clock.advance(300);
    const observation = await run.done;
    assert.match(
      observation.error ?? '',
      /^timed out after 300 ms (waiting for the first byte|connecting to)/,
    );
  } finally {
    await silent.close();
  }
});

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
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

// A server in its own thread, so it can answer while this thread is blocked. It holds its answer
// until told to send it, then says when the bytes are handed to the kernel.
const HELD_ANSWER_SERVER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const state = new Int32Array(workerData);
const server = net.createServer((socket) => {
  let head = '';
  socket.on('data', (chunk) => {
    head += chunk;
    if (!head.includes('\\r\\n\\r\\n')) return;
    Atomics.store(state, 0, 1);
    const poll = setInterval(() => {
      if (Atomics.load(state, 0) !== 2) return;
      clearInterval(poll);
      socket.end('HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nConnection: close\\r\\n\\r\\nok\\n', () => {
        Atomics.store(state, 0, 3);
        Atomics.notify(state, 0);
      });
    }, 1);
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => server.close(() => process.exit(0)));
`;

test('an answer already in the socket buffer when the timeout fires is read, not called a timeout', async (t) => {
  const shared = new SharedArrayBuffer(4);
  const state = new Int32Array(shared);
  const server = new Worker(HELD_ANSWER_SERVER, { eval: true, workerData: shared });
  t.after(async () => {
    server.postMessage('close');
    await once(server, 'exit');
  });
  const [port] = (await once(server, 'message')) as [number];
  // The timeout timer is fired by hand, synchronously, so the test decides when it runs.
  let fireTimeout: (() => void) | undefined;
  const clock = {
    now: () => performance.timeOrigin + performance.now(),
    setTimeout: (callback: () => void) => {
      fireTimeout = callback;
      return 1;
    },
    clearTimeout: () => {},
  };
  const run = runProbe(http({ url: `http://127.0.0.1:${port}/` }), {
    timeoutMs: 1000,
    maxOutputBytes: 1024,
    clock,
  });
  const deadline = Date.now() + 30_000;
  while (Atomics.load(state, 0) !== 1) {
    assert.ok(Date.now() < deadline, 'the request never reached the server');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // From here this thread does not yield until the timer has fired: the server sends its answer
  // while this thread is blocked (as a loaded event loop is), then the timeout fires before the
  // loop has polled the socket, with the whole answer waiting in its buffer.
  Atomics.store(state, 0, 2);
  assert.equal(Atomics.wait(state, 0, 2, 30_000), 'ok', 'the server never sent its answer');
  assert.ok(fireTimeout, 'the probe armed its timeout');
  fireTimeout();
  const observation = await run.done;
  assert.equal(observation.error, undefined);
  assert.equal(observation.ok, true);
  assert.equal(observation.status, 200);
});

import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { ProbeRunContext } from '../../src/signals/probes/probe-run-context.ts';
import { tcpProbe, tcpProbeSpec } from '../../src/signals/probes/tcp.ts';
import { close, closedPort, listen, probeContext, runProbe } from './helpers.ts';

test('tcp: an open port succeeds, with resolve and connect timings, and the connection is closed', async () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  const port = await listen(server);
  const result = await runProbe(tcpProbe.prepare(tcpProbeSpec.parse({ port })));
  assert.equal(result.ok, true);
  assert.equal(result.error, undefined);
  assert.ok((result.phases?.resolveMs ?? -1) >= 0);
  assert.ok((result.phases?.connectMs ?? -1) >= 0);
  await new Promise<void>((resolve) => {
    const socket = sockets[0];
    if (socket === undefined) server.once('connection', (s) => s.once('close', resolve));
    else if (socket.closed) resolve();
    else socket.once('close', resolve);
  });
  await close(server);
});

test('tcp: a closed port is refused, named with the address', async () => {
  const port = await closedPort();
  const result = await runProbe(tcpProbe.prepare(tcpProbeSpec.parse({ port })));
  assert.equal(result.ok, false);
  assert.equal(result.error, `connect ECONNREFUSED 127.0.0.1:${port}`);
});

test('tcp: a name that does not resolve is a DNS failure, not an exception', async () => {
  const probe = tcpProbe.prepare(tcpProbeSpec.parse({ host: 'nothing-here.invalid', port: 80 }));
  const result = await runProbe(probe, probeContext(3000));
  assert.equal(result.ok, false);
  assert.match(result.error ?? '', /^(DNS lookup of nothing-here\.invalid failed|timed out)/);
});

test('tcp: an already aborted signal returns at once', async () => {
  const controller = new AbortController();
  controller.abort(new Error('shutting down'));
  const probe = tcpProbe.prepare(tcpProbeSpec.parse({ port: 9 }));
  const result = await probe(new ProbeRunContext(1000, 100, controller.signal));
  assert.equal(result.ok, false);
  assert.equal(result.error, 'aborted after 0 ms resolving 127.0.0.1 (shutting down)');
});

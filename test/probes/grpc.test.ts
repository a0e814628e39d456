import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { type Server, status } from '@grpc/grpc-js';
import { grpcProbe } from '../../src/signals/probes/grpc.ts';
import { grpcProbeSpec } from '../../src/signals/probes/grpc-spec.ts';
import { startGrpcServer } from './grpc-servers.ts';
import { close, closedPort, listen, probeContext, runProbe } from './helpers.ts';

/** What the real server reports, per service name, as grpc-health-check implementations do. */
const statuses = new Map<string, number>([
  ['', 1],
  ['mend.Orders', 1],
]);
let hang = false;
let userAgents: unknown[] = [];
let server: Server;
let port: number;

before(async () => {
  ({ server, port } = await startGrpcServer((call, callback) => {
    if (hang) return;
    userAgents = call.metadata.get('user-agent');
    const serving = statuses.get(call.request.service);
    if (serving === undefined) callback({ code: status.NOT_FOUND, details: 'unknown service' });
    else callback(null, { status: serving });
  }));
});

after(() => server.forceShutdown());

const grpc = (spec: Record<string, unknown>) => grpcProbe.prepare(grpcProbeSpec.parse(spec));

test('grpc: SERVING succeeds, then NOT_SERVING fails with the status name', async () => {
  const probe = grpc({ port, service: 'mend.Orders' });
  assert.deepEqual(await probe(probeContext()), { ok: true, status: 'SERVING' });
  statuses.set('mend.Orders', 2);
  assert.deepEqual(await probe(probeContext()), {
    ok: false,
    status: 'NOT_SERVING',
    error: 'health status NOT_SERVING, expected SERVING',
  });
  statuses.set('mend.Orders', 1);
  assert.equal((await probe(probeContext())).ok, true);
});

test('grpc: the call says who is asking, mend-probe/VERSION, as kubelet says kube-probe/1.33', async () => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8'));
  await grpc({ port })(probeContext());
  assert.equal(userAgents.length, 1);
  assert.match(
    String(userAgents[0]),
    new RegExp(`^mend-probe/${version.replaceAll('.', '\\.')} grpc-node-js/`),
  );
});

test('grpc: the empty service name asks about the whole server', async () => {
  assert.equal((await grpc({ port })(probeContext())).status, 'SERVING');
});

test('grpc: a service the server does not know is SERVICE_UNKNOWN', async () => {
  const result = await grpc({ port, service: 'mend.Nope' })(probeContext());
  assert.equal(result.ok, false);
  assert.equal(result.status, 'SERVICE_UNKNOWN');
  assert.equal(
    result.error,
    'service "mend.Nope" is unknown to the health server (gRPC NOT_FOUND: unknown service)',
  );
});

test('grpc: a closed port is UNAVAILABLE, naming the refused connection', async () => {
  const free = await closedPort();
  const result = await runProbe(grpc({ port: free }));
  assert.equal(result.ok, false);
  assert.match(result.error ?? '', /^gRPC UNAVAILABLE: .*ECONNREFUSED 127\.0\.0\.1:\d+/);
  assert.ok(result.durationMs < 1000);
});

test('grpc: a server that never answers fails at the deadline', async () => {
  hang = true;
  try {
    const result = await runProbe(grpc({ port }), probeContext(300));
    assert.equal(result.ok, false);
    assert.match(
      result.error ?? '',
      /^timed out after 300 ms calling grpc\.health\.v1\.Health\/Check/,
    );
    assert.ok(result.durationMs < 800, `took ${result.durationMs} ms`);
  } finally {
    hang = false;
  }
});

test('grpc: a peer that accepts TCP but never speaks HTTP/2 times out and its socket is closed', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket.resume()));
  const silentPort = await listen(silent);
  const result = await runProbe(grpc({ port: silentPort }), probeContext(300));
  assert.equal(result.ok, false);
  assert.match(result.error ?? '', /^timed out after 300 ms/);
  assert.equal(sockets.length, 1);
  // grpc-js alone would keep this socket open as long as the peer does (see grpc-socket-tracking).
  await Promise.all(sockets.map((s) => (s.closed ? undefined : once(s, 'close'))));
  await close(silent);
});

test('grpc: a server without the health service is UNIMPLEMENTED', async () => {
  const { server: bare, port: barePort } = await startGrpcServer();
  try {
    const result = await grpc({ port: barePort })(probeContext());
    assert.equal(result.ok, false);
    assert.match(result.error ?? '', /^gRPC UNIMPLEMENTED: the server does not implement/);
  } finally {
    bare.forceShutdown();
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probeKinds } from '../../src/signals/probes/registry.ts';
import { execFixture } from './contract/exec.ts';
import { grpcFixture } from './contract/grpc.ts';
import { httpFixture } from './contract/http.ts';
import { logFixture } from './contract/log.ts';
import { prometheusFixture } from './contract/prometheus.ts';
import { tcpFixture } from './contract/tcp.ts';
import { tracesFixture } from './contract/traces.ts';
import { type ProbeFixture, runProbeContract } from './contract.ts';

/** One fixture per probe kind in the registry: a new kind joins the suite here. */
const fixtures: Record<string, ProbeFixture> = {
  http: httpFixture,
  tcp: tcpFixture,
  exec: execFixture,
  grpc: grpcFixture,
  log: logFixture,
  traces: tracesFixture,
  prometheus: prometheusFixture,
};

test('every registered probe kind has a contract fixture, and every fixture a kind', () => {
  assert.deepEqual(Object.keys(fixtures).sort(), probeKinds.map((kind) => kind.name).sort());
});

for (const kind of probeKinds) {
  const fixture = fixtures[kind.name];
  if (fixture !== undefined) runProbeContract(kind, fixture);
}

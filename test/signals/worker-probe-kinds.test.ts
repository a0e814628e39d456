import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckSpec } from '../../src/config/config.ts';
import { prepareCheckOfKind } from '../../src/signals/prepare-check-of-kind.ts';
import { probeKinds } from '../../src/signals/probes/registry.ts';
import {
  loadWorkerProbeKinds,
  workerProbeKinds,
  workerProbeOf,
} from '../../src/signals/probes/worker-probe-kinds.ts';

function check(probe: Record<string, unknown>): CheckSpec {
  return {
    name: 'c',
    role: 'liveness',
    periodSeconds: 1,
    timeoutSeconds: 1,
    failureThreshold: 1,
    successThreshold: 1,
    initialDelaySeconds: 0,
    labels: {},
    ...probe,
  };
}

test('a probe worker can load every kind that runs in a worker, and no other', () => {
  const inWorkers = probeKinds.filter((kind) => kind.thread !== 'main').map((kind) => kind.name);
  assert.deepEqual(Object.keys(workerProbeKinds).sort(), inWorkers.sort());
});

test("each kind a worker loads prepares with the registry's own prepare", async () => {
  for (const kind of probeKinds.filter((k) => k.thread !== 'main')) {
    const load = workerProbeKinds[kind.name];
    assert.ok(load, kind.name);
    assert.equal((await load()).prepare, kind.prepare, `${kind.name}: a different prepare`);
  }
});

test('a worker loads the kinds its checks use, and finds each check its kind', async () => {
  const checks = [
    check({ http: { url: 'http://127.0.0.1:1/' } }),
    check({ tcp: { host: '127.0.0.1', port: 1 } }),
    check({ http: { url: 'http://127.0.0.1:2/' } }),
  ];
  assert.deepEqual([...(await loadWorkerProbeKinds(checks)).keys()].sort(), ['http', 'tcp']);
  assert.deepEqual(workerProbeOf(checks[1] as CheckSpec), {
    kind: 'tcp',
    spec: { host: '127.0.0.1', port: 1 },
  });
  // Spans are read in the main thread: such a check never goes to a worker.
  assert.equal(workerProbeOf(check({ traces: { service: 'api' } })), undefined);
  assert.deepEqual([...(await loadWorkerProbeKinds([check({ traces: {} })])).keys()], []);
});

test('a kind that does not load fails its checks with the reason, and the other kinds still load', async () => {
  const table = {
    http: workerProbeKinds.http!,
    broken: () => Promise.reject(new Error('Cannot find module ./broken.ts')),
  };
  const checks = [check({ http: { url: 'http://127.0.0.1:1/' } }), check({ broken: {} })];
  const kinds = await loadWorkerProbeKinds(checks, table);
  assert.deepEqual([...kinds.keys()].sort(), ['broken', 'http']);
  const definition = { key: 'svc/c', service: 'svc', spec: checks[1]!, revision: '1' };
  const scheduled = prepareCheckOfKind(definition, 'broken', {}, kinds.get('broken'));
  const ctx = { timeoutMs: 1000, maxOutputBytes: 100 } as unknown as Parameters<
    typeof scheduled.probe
  >[0];
  assert.deepEqual(await scheduled.probe(ctx), {
    ok: false,
    error:
      'cannot prepare broken probe: the broken probe kind did not load in the probe worker: Cannot find module ./broken.ts',
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceConfig } from '../../src/config/config.ts';
import { configFromSpecs } from '../../src/documents.ts';
import type { StepContext } from '../../src/runbooks/steps/step-kind.ts';
import { verifyStep } from '../../src/runbooks/steps/verify.ts';
import { httpServer } from '../probes/http-servers.ts';

test('verify: a discarded result neither counts as a pass nor resets the passes in a row', async () => {
  let requests = 0;
  // Passes, then stalls its body (discarded), then passes: two passes in a row, in three rounds.
  const target = await httpServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-length': '2' });
    if (requests === 2) res.write('o');
    else res.end('ok');
  });
  try {
    const check = {
      name: 'ready',
      role: 'readiness',
      successThreshold: 2,
      timeoutSeconds: 0.2,
      http: { url: target.url('/readyz') },
    };
    const [service] = configFromSpecs([
      { kind: 'Service', name: 'api', spec: { checks: [check] } },
    ]).services;
    const ctx: StepContext = {
      timeoutMs: 5000,
      signal: AbortSignal.timeout(5000),
      maxOutputBytes: 64 * 1024,
      service: service as ServiceConfig,
      lead: undefined,
      store: { listSignals: async () => [] },
      notify: undefined,
      key: 'r1:steps:0:1',
      runId: 'r1',
      now: Date.now,
    };
    const spec = verifyStep.spec.parse({ interval: '10ms' });
    const result = await verifyStep.execute(verifyStep.prepare(spec, {} as never), ctx);
    assert.equal(result.ok, true, result.error);
    assert.deepEqual((result.data as { rounds: number }).rounds, 3);
    assert.match(
      result.output ?? '',
      /^round 2 api\/ready discarded: status 200, then timed out after 200 ms reading the response: discarded, neither a success nor a failure, as kubelet does \(\d+ ms\)$/m,
    );
  } finally {
    await target.close();
  }
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { loadMendConfig } from '../../src/documents.ts';
import { Prober } from '../../src/signals/prober.ts';
import type { ProbeOutcome } from '../../src/signals/scheduler.ts';
import type { Signal } from '../../src/signals/signal.ts';
import { createLogger } from '../../src/support/log.ts';
import { createMetrics } from '../../src/support/metrics.ts';
import { httpServer } from '../probes/http-servers.ts';

test('a discarded probe result leaves the check as it was and shows on /metrics and in the log', async () => {
  let stall = false;
  const target = await httpServer((_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    // Stalling: headers and the start of the body, then nothing until the probe gives up.
    if (stall) res.write('half');
    else res.end('x'.repeat(100));
  });
  const dir = await mkdtemp(join(tmpdir(), 'mend-discarded-'));
  const file = join(dir, 'mend.yaml');
  await writeFile(
    file,
    `apiVersion: mend/v1
kind: Service
metadata: {name: api}
spec:
  checks:
    - name: live
      periodSeconds: 0.1
      timeoutSeconds: 0.2
      failureThreshold: 1
      http: {url: "${target.url('/healthz')}"}
`,
  );
  const lines: { level: number; msg: string; check?: string }[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const { config, errors } = await loadMendConfig([file]);
  assert.deepEqual(errors, []);
  const metrics = createMetrics();
  const signals: Signal[] = [];
  const prober = new Prober({
    config: config!,
    consumer: { consume: async (signal) => void signals.push(signal) },
    log: createLogger({ pretty: false, destination }),
    metrics,
    options: { workers: 0 },
    onFatal: (error) => assert.fail(error),
  });
  const seen: ProbeOutcome[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  prober.onOutcomes((outcomes) => {
    seen.push(...outcomes);
    if (waiting && seen.length >= waiting.count) waiting.resolve();
  });
  const outcomes = (count: number) =>
    new Promise<void>((resolve) => {
      waiting = { count, resolve };
      if (seen.length >= count) resolve();
    });
  let stopped = false;
  try {
    prober.start();
    await outcomes(2);
    // Read in the same turn as the outcome that resolved the wait: no other one is applied between.
    const before = { ...prober.checkStates()[0]!.state };
    const counted = seen.length;
    assert.equal(before.status, 'healthy');
    stall = true;
    await outcomes(counted + 4);
    const after = prober.checkStates()[0]!.state;
    const since = seen.slice(counted).map((o) => o.observation);
    const stalled = since.filter((o) => o.discarded);
    // A probe already answered when the target began to stall passed; every later one is discarded.
    assert.ok(stalled.length >= 3, `${stalled.length} discarded`);
    assert.ok(since.every((o) => o.ok || o.discarded));
    // Neither failures (failureThreshold 1 would have fired) nor successes that count.
    assert.equal(signals.length, 0);
    assert.deepEqual(
      [after.status, after.consecutiveFailures, after.consecutiveSuccesses],
      ['healthy', 0, before.consecutiveSuccesses + since.filter((o) => o.ok).length],
    );
    await prober.stop(2000);
    stopped = true;
    const discarded = seen.filter((o) => o.observation.discarded).length;
    const text = await metrics.registry.metrics();
    assert.match(
      text,
      new RegExp(`mend_probes_total\\{kind="http",result="discarded"\\} ${discarded}\\b`),
    );
    const logged = lines.filter((l) => l.check === 'api/live');
    assert.equal(logged.length, discarded);
    assert.equal(logged[0]?.level, 40, 'a warning');
    assert.equal(
      logged[0]?.msg,
      'api/live probe: status 200, then timed out after 200 ms reading the response: discarded, neither a success nor a failure, as kubelet does',
    );
  } finally {
    if (!stopped) await prober.stop(2000);
    await target.close();
    await rm(dir, { recursive: true, force: true });
  }
});

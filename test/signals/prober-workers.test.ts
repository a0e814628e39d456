import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMendConfig } from '../../src/documents.ts';
import { Prober } from '../../src/signals/prober.ts';
import type { ProbeOutcome } from '../../src/signals/scheduler.ts';
import { createLogger } from '../../src/support/log.ts';
import { createMetrics } from '../../src/support/metrics.ts';
import { httpServer } from '../probes/http-servers.ts';

function services(url: (path: string) => string, paths: Record<string, string>): string {
  return Object.entries(paths)
    .map(
      ([name, path]) => `apiVersion: mend/v1
kind: Service
metadata: {name: ${name}}
spec:
  checks:
    - name: live
      periodSeconds: 0.1
      timeoutSeconds: 0.5
      http: {url: "${url(path)}"}
`,
    )
    .join('---\n');
}

test('outcomes from two probe workers name their checks, passes and failures, across a reload', async () => {
  const target = await httpServer((req, res) => {
    if (req.url === '/down') res.writeHead(503).end('down');
    else res.writeHead(200).end('ok');
  });
  const dir = await mkdtemp(join(tmpdir(), 'mend-workers-'));
  const file = join(dir, 'mend.yaml');
  const load = async (paths: Record<string, string>) => {
    await writeFile(file, services(target.url, paths));
    const { config, errors } = await loadMendConfig([file]);
    assert.deepEqual(errors, []);
    return config!;
  };
  const seen: ProbeOutcome[] = [];
  const prober = new Prober({
    config: await load({ a: '/up', b: '/down', c: '/up', d: '/up' }),
    consumer: { consume: async () => {} },
    log: createLogger({ level: 'error', pretty: false }),
    metrics: createMetrics(),
    options: { workers: 2 },
    onFatal: (error) => assert.fail(error),
  });
  let waiting: { until: () => boolean; resolve: () => void } | undefined;
  prober.onOutcomes((outcomes) => {
    seen.push(...outcomes);
    if (waiting?.until()) waiting.resolve();
  });
  const until = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      waiting = { until: condition, resolve };
      if (condition()) resolve();
    });
  const byCheck = (from: number) => {
    const checks = new Map<string, ProbeOutcome[]>();
    for (const outcome of seen.slice(from)) {
      checks.set(outcome.key, [...(checks.get(outcome.key) ?? []), outcome]);
    }
    return checks;
  };
  let stopped = false;
  try {
    prober.start();
    await until(() => byCheck(0).size === 4 && [...byCheck(0).values()].every((o) => o.length > 2));
    const first = byCheck(0);
    const revisionOf = (key: string) => first.get(key)?.[0]?.revision;
    for (const [key, outcomes] of first) {
      const down = key === 'b/live';
      for (const { observation, revision } of outcomes) {
        assert.equal(revision, revisionOf(key));
        assert.equal(observation.ok, !down, key);
        assert.equal(observation.status, down ? 503 : 200);
        assert.equal(
          observation.output,
          down ? 'down' : undefined,
          'a pass does not carry its body',
        );
        assert.ok(observation.phases?.connectMs !== undefined && observation.durationMs > 0);
      }
    }
    // b now passes and a fails (new revisions), c is gone, e is new.
    await prober.reload(await load({ a: '/down', b: '/up', d: '/up', e: '/up' }));
    const from = seen.length;
    await until(() => {
      const after = byCheck(from);
      return ['a/live', 'b/live', 'e/live'].every((key) =>
        after
          .get(key)
          ?.some((o) => o.revision !== revisionOf(key) && o.observation.ok === (key !== 'a/live')),
      );
    });
    await prober.stop(2000);
    stopped = true;
    const after = byCheck(from);
    for (const [key, outcomes] of after) {
      // Probes started before the reload may finish after it, with the old revision's verdict.
      for (const { observation, revision } of outcomes) {
        const old = revision === revisionOf(key);
        const expected = key === 'a/live' ? old : key === 'b/live' ? !old : true;
        assert.equal(observation.ok, expected, `${key} ${revision}`);
      }
    }
    assert.equal(after.get('d/live')?.[0]?.revision, revisionOf('d/live'), 'd kept its revision');
    const afterStop = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(seen.length, afterStop, 'nothing after stop');
  } finally {
    if (!stopped) await prober.stop(2000);
    await target.close();
    await rm(dir, { recursive: true, force: true });
  }
});

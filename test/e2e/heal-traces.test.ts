import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MendProcess, runMend } from '../helpers/mend-process.ts';

const q = JSON.stringify;
const SERVICE = fileURLToPath(new URL('./fixtures/traced-service.mjs', import.meta.url));

const config = (flag: string) => `apiVersion: mend/v1
kind: Service
metadata: {name: checkout}
spec:
  checks:
    - name: spans
      periodSeconds: 0.5
      failureThreshold: 1
      traces: {service: checkout, windowSeconds: 3, minRequests: 20, maxErrorRatio: 0.2, latency: {quantile: 0.99, maxMs: 2000}}
---
apiVersion: mend/v1
kind: Policy
metadata: {name: repair}
spec:
  for: 0s
  heal: {runbook: repair}
---
apiVersion: mend/v1
kind: Runbook
metadata: {name: repair}
spec:
  steps:
    - name: fail over the payment gateway
      exec: {command: [rm, -f, ${q(flag)}]}
    - verify: {successThreshold: 3, interval: 1s}
`;

interface Shown {
  status: string;
  timeline: unknown[];
  signals: { status: string; evidence: { output?: string; error?: string }[] }[];
}

for (const encoding of ['proto', 'json'] as const) {
  test(`spans from a real OpenTelemetry SDK (OTLP/HTTP ${encoding}, gzip) that start failing heal the service`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'mend-e2e-traces-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const flag = join(dir, 'gateway-down');
    const file = join(dir, 'mend.yaml');
    const db = join(dir, 'mend.db');
    await writeFile(file, config(flag));
    const created = await runMend(['token', 'create', 'otel', '--role', 'ingest', '--db', db]);
    assert.equal(created.code, 0, created.stderr);
    const token = /(mend_\S+)/.exec(created.stdout)?.[1];
    assert.ok(token, created.stdout);

    const mend = new MendProcess(['run', '-c', file, '--db', db, '--listen', '127.0.0.1:0']);
    t.after(async () => {
      if (mend.child.exitCode === null && mend.child.signalCode === null) mend.kill('SIGTERM');
      await mend.exited;
    });
    const running = await mend.waitForLog(/^mend running: 1 service/, 30_000);
    const port = /listen:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(running)?.[1];
    const service: ChildProcess = spawn(
      process.execPath,
      [SERVICE, `http://127.0.0.1:${port}`, token, flag, encoding],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let serviceErrors = '';
    service.stderr?.on('data', (chunk: Buffer) => {
      serviceErrors += chunk.toString();
    });
    t.after(async () => {
      if (service.exitCode === null && service.signalCode === null) {
        service.kill('SIGKILL');
        await once(service, 'exit');
      }
    });
    // Healthy spans first, then the gateway goes down.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(mend.countLogs(/checkout\/spans firing/), 0, mend.stdout);
    await writeFile(flag, '');
    const healed = await mend.waitForLog(
      /^runbook repair on checkout \((inc-\d+):heal:\d+\): succeeded: verified healthy/,
      60_000,
    );
    const id = /\((inc-\d+):heal/.exec(healed)![1]!;
    const fired = await mend.waitForLog(/^checkout\/spans firing/, 1000);
    assert.match(
      fired,
      /error ratio \d+\.\d% above 20\.0% \(\d+ of \d+ server span\(s\) of checkout failed in the last 3s\)/,
    );
    const shown = await runMend(['incidents', 'show', id, '--format', 'json', '--db', db]);
    assert.equal(shown.code, 0, shown.stderr);
    const incident = JSON.parse(shown.stdout) as Shown;
    const evidence = incident.signals
      .filter((s) => s.status === 'firing')
      .flatMap((s) => s.evidence.map((o) => o.output ?? ''))
      .join('\n');
    assert.match(
      evidence,
      /^failing trace [0-9a-f]{32} span [0-9a-f]{16} "POST \/pay" \d+ ms ERROR upstream payment gateway refused .*http\.response\.status_code=502/m,
      'the failing spans are the evidence, with ids to find them by',
    );
    assert.equal(serviceErrors.includes('Error'), false, serviceErrors);
  });
}

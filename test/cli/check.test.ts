import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { closedPort, type FlakyServer, startFlakyServer } from '../helpers/flaky-server.ts';
import { runMend } from '../helpers/mend-process.ts';

let dir: string;
let target: FlakyServer;
let config: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-check-'));
  target = await startFlakyServer(200);
  const closed = await closedPort();
  config = join(dir, 'services.yaml');
  await writeFile(
    config,
    `apiVersion: mend/v1
kind: Service
metadata: { name: api }
spec:
  checks:
    - name: live
      http: { url: "${target.url}" }
    - name: port
      tcp: { port: ${target.port} }
---
apiVersion: mend/v1
kind: Service
metadata: { name: cache }
spec:
  checks:
    - name: port
      tcp: { port: ${closed} }
    - name: script
      exec: { command: ["${process.execPath}", "-e", "process.exit(0)"] }
`,
  );
});
after(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

test('mend check prints one row per check like kubectl get, and exits 1 when one fails', async () => {
  const { code, stdout } = await runMend(['check', '-c', config]);
  assert.equal(code, 1);
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^SERVICE\s+CHECK\s+KIND\s+RESULT\s+LATENCY\s+DETAIL$/);
  const rows = lines.slice(1).map((line) => line.split(/\s{2,}/));
  assert.deepEqual(
    rows.map((r) => r.slice(0, 4)),
    [
      ['api', 'live', 'http', 'ok'],
      ['api', 'port', 'tcp', 'ok'],
      ['cache', 'port', 'tcp', 'FAILED'],
      ['cache', 'script', 'exec', 'ok'],
    ],
  );
  assert.match(lines[3]!, /ECONNREFUSED/);
});

test('mend check filters by service and check, and prints JSON for machines', async () => {
  const { code, stdout } = await runMend(['check', '-c', config, '--service', 'api', '--json']);
  assert.equal(code, 0);
  const rows = JSON.parse(stdout) as {
    service: string;
    check: string;
    observation: { ok: boolean; status?: number };
  }[];
  assert.deepEqual(
    rows.map((r) => [r.service, r.check, r.observation.ok]),
    [
      ['api', 'live', true],
      ['api', 'port', true],
    ],
  );
  assert.equal(rows[0]?.observation.status, 200);
  const one = await runMend(['check', '-c', config, '--check', 'script']);
  assert.equal(one.code, 0);
  assert.equal(one.stdout.trimEnd().split('\n').length, 2);
  const none = await runMend(['check', '-c', config, '--service', 'nope']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no check matches/);
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { closedPort, type FlakyServer, startFlakyServer } from '../helpers/flaky-server.ts';
import { runMend } from '../helpers/mend-process.ts';
import { ATTACK, ATTACK_SHOWN, RAW_CONTROL } from '../helpers/terminal.ts';

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

test('mend check shows what a probe target or a command answered without letting it drive the terminal', async () => {
  // A target whose health document reports a dependency in escape sequences, and a command that
  // prints them on its last line before failing.
  const hostile = createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'DOWN', components: { db: { status: `DOWN${ATTACK}` } } }));
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  const { port } = hostile.address() as AddressInfo;
  const file = join(dir, 'hostile.yaml');
  await writeFile(
    file,
    `apiVersion: mend/v1
kind: Service
metadata: { name: hostile }
spec:
  checks:
    - name: health
      http: { url: "http://127.0.0.1:${port}/health", expectedStatus: [503] }
    - name: script
      exec: { command: [sh, -c, ${JSON.stringify(`printf '%s\\n%s' 'second line' "$A"; exit 1`)}], env: { A: ${JSON.stringify(ATTACK)} } }
`,
  );
  try {
    const { code, stdout } = await runMend(['check', '-c', file]);
    assert.equal(code, 1);
    assert.equal(RAW_CONTROL.test(stdout), false, JSON.stringify(stdout));
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, 'one line per check');
    assert.ok(lines[1]!.endsWith(`dependencies: db=DOWN${ATTACK_SHOWN}`), lines[1]);
    assert.ok(lines[2]!.endsWith(`exit code 1, expected 0: ${ATTACK_SHOWN}`), lines[2]);
    const json = await runMend(['check', '-c', file, '--json']);
    assert.ok(json.stdout.includes(JSON.stringify(ATTACK).slice(1, -1)), 'JSON stays JSON');
  } finally {
    hostile.close();
  }
});

test('mend check says DISCARDED for a body that stalls after a passing status, and shows a warning for a passing 3xx', async () => {
  const target = createServer((req, res) => {
    if (req.url === '/stall') {
      res.writeHead(200, { 'content-length': '10' });
      res.write('half');
    } else res.writeHead(302, { location: 'http://127.0.0.2:9/login' }).end();
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const { port } = target.address() as AddressInfo;
  const file = join(dir, 'kubelet.yaml');
  await writeFile(
    file,
    `apiVersion: mend/v1
kind: Service
metadata: { name: web }
spec:
  checks:
    - name: stall
      timeoutSeconds: 0.3
      http: { url: "http://127.0.0.1:${port}/stall" }
    - name: sso
      http: { url: "http://127.0.0.1:${port}/" }
`,
  );
  try {
    const { code, stdout } = await runMend(['check', '-c', file]);
    assert.equal(code, 1, 'a discarded result is not a pass');
    const rows = stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s{2,}/));
    assert.deepEqual(
      rows.map((r) => [r[1], r[3], r[5]]),
      [
        [
          'stall',
          'DISCARDED',
          'status 200; status 200, then timed out after 300 ms reading the response: discarded, neither a success nor a failure, as kubelet does',
        ],
        [
          'sso',
          'ok',
          'status 302; 302 to another host (http://127.0.0.2:9/login), not followed: counted as success, as kubelet does',
        ],
      ],
    );
  } finally {
    target.closeAllConnections();
    target.close();
  }
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.ts';
import { MendProcess, runMend } from '../helpers/mend-process.ts';

let dir: string;
let target: FlakyServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-run-'));
  target = await startFlakyServer(200);
});
after(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

function serviceYaml(checks: string): string {
  return `apiVersion: mend/v1
kind: Service
metadata:
  name: api
  labels: { team: payments }
spec:
  checks:
${checks}`;
}

const liveCheck = (url: string) => `    - name: live
      periodSeconds: 0.1
      failureThreshold: 2
      http:
        url: ${url}
`;

test('mend run: a server that starts failing fires a signal, recovery resolves it, both recorded', async () => {
  const config = join(dir, 'mend.yaml');
  const db = join(dir, 'run.db');
  await writeFile(config, serviceYaml(liveCheck(target.url)));
  const mend = new MendProcess([
    'run',
    '-c',
    config,
    '--db',
    db,
    '--listen',
    '127.0.0.1:0',
    '--workers',
    '1',
  ]);
  try {
    const summary = await mend.waitForLog(/^mend running: 1 services, 1 checks \(1 http\)/);
    const listen = /listen:\s+http:\/\/([\d.]+:\d+)/.exec(summary)?.[1];
    assert.ok(listen, summary);
    const ready = await fetch(`http://${listen}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'pass');

    target.setStatus(503);
    await mend.waitForLog(/^api\/live firing: 2 consecutive failures: status 503/);
    target.setStatus(200);
    await mend.waitForLog(/^api\/live resolved: 1 consecutive success after failing/);

    const metrics = await (await fetch(`http://${listen}/metrics`)).text();
    assert.match(metrics, /mend_signals_total\{source="probe",status="firing"\} 1/);
    assert.match(metrics, /mend_probe_lateness_seconds_count \d+/);

    // An invalid config is rejected and the old one keeps running.
    await writeFile(config, serviceYaml(liveCheck('not a url')));
    mend.kill('SIGHUP');
    await mend.waitForLog(/^config reload rejected \(1 error\(s\)\)/);
    assert.match(
      mend.logs().find((l) => /reload rejected/.test(l.msg))!.msg,
      /mend\.yaml:\d+:\d+: spec\.checks\[0\]\.http\.url/,
    );
    target.setStatus(500);
    // The old config still probes: a second failure and recovery.
    await mend.waitForLog(/^api\/live firing/, 5000, 2);
    target.setStatus(200);
    await mend.waitForLog(/^api\/live resolved/, 5000, 2);

    // A valid config adds a check; the unchanged one keeps its state (no new transition).
    const firingBefore = mend.countLogs(/firing/);
    await writeFile(
      config,
      serviceYaml(
        `${liveCheck(target.url)}    - name: second\n      periodSeconds: 0.1\n      tcp: { port: ${target.port} }\n`,
      ),
    );
    mend.kill('SIGHUP');
    await mend.waitForLog(/^config reloaded: 1 services, 2 checks/);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(mend.countLogs(/firing/), firingBefore);
  } finally {
    mend.kill('SIGTERM');
  }
  assert.equal(await mend.exited, 0, mend.stderr);
  await mend.waitForLog(/^stopped$/);

  const store = await openStore({ path: db });
  try {
    const signals = await store.listSignals({ service: 'api' });
    const live = signals.filter((s) => s.check === 'live').map((s) => s.status);
    assert.deepEqual(live, ['firing', 'resolved', 'firing', 'resolved']);
    const firing = signals.find((s) => s.status === 'firing')!;
    assert.equal(firing.labels.team, 'payments');
    assert.ok(firing.evidence.length >= 2);
    assert.equal(firing.evidence.at(-1)?.status, 503);
  } finally {
    await store.close();
  }
});

test('mend run: config errors exit 1 with the error lines, never a stack trace', async () => {
  const config = join(dir, 'bad.yaml');
  await writeFile(config, serviceYaml('    - name: x\n      tcp: { port: 99999 }\n'));
  const { code, stderr } = await runMend(['run', '-c', config, '--db', join(dir, 'bad.db')]);
  assert.equal(code, 1);
  assert.match(stderr, /bad\.yaml:\d+:\d+: spec\.checks\[0\]\.tcp\.port: /);
  assert.doesNotMatch(stderr, /\n\s+at /);
});

test('mend run: a store that is not a database exits 1 and says so', async () => {
  const config = join(dir, 'ok.yaml');
  const db = join(dir, 'garbage.db');
  await writeFile(config, serviceYaml(liveCheck(target.url)));
  await writeFile(db, 'this is not an SQLite database, just text that is long enough '.repeat(100));
  const { code, stderr } = await runMend([
    'run',
    '-c',
    config,
    '--db',
    db,
    '--listen',
    '127.0.0.1:0',
  ]);
  assert.equal(code, 1);
  assert.match(stderr, /garbage\.db/);
  assert.match(stderr, /corrupt|not a database/i);
  assert.doesNotMatch(stderr, /\n\s+at /);
});

test('mend run: unknown flags are usage errors with a suggestion', async () => {
  const { code, stderr } = await runMend(['run', '-c', 'x.yaml', '--worker', '2']);
  assert.equal(code, 2);
  assert.match(stderr, /unknown option '--worker'/);
  assert.match(stderr, /Did you mean --workers\?/);
});

test('mend run: --db-max-size takes a size in bytes, KiB, MiB or GiB; anything else is a usage error', async () => {
  const { code, stderr } = await runMend(['run', '-c', 'x.yaml', '--db-max-size', '2MB']);
  assert.equal(code, 2);
  assert.match(
    stderr,
    /--db-max-size must be a size such as 1048576, 512KiB, 64MiB or 2GiB, found "2MB"/,
  );
});

test('mend run: a config edit the YAML parser chokes on, plus SIGHUP, leaves the old config running', async () => {
  const folder = await mkdtemp(join(dir, 'conf-'));
  await writeFile(join(folder, 'api.yaml'), serviceYaml(liveCheck(target.url)));
  await writeFile(join(folder, 'api.test.yaml'), 'config: [api.yaml]\ncases: []\n');
  const mend = new MendProcess([
    'run',
    '-c',
    folder,
    '--db',
    join(dir, 'hup.db'),
    '--listen',
    '127.0.0.1:0',
    '--workers',
    '1',
  ]);
  try {
    const summary = await mend.waitForLog(/^mend running: 1 services/);
    const listen = /listen:\s+http:\/\/([\d.]+:\d+)/.exec(summary)?.[1];
    await mend.waitForLog(/^config: .*api\.test\.yaml: skipped, a policy test file/);
    // The file of issue 15: 2,000 nested compact mappings overflowed the parser's stack.
    await writeFile(
      join(folder, 'b.yaml'),
      `  params:\n        command: ${'a: '.repeat(2000)}\n      notify:\n`,
    );
    mend.kill('SIGHUP');
    const rejected = await mend.waitForLog(/^config reload rejected \(1 error\(s\)\)/);
    assert.match(rejected, /b\.yaml:2:\d+: expected at most 64 levels of nested mappings/);
    const ready = await fetch(`http://${listen}/readyz`);
    assert.equal(ready.status, 200);
  } finally {
    mend.kill('SIGTERM');
  }
  assert.equal(await mend.exited, 0, mend.stderr);
  assert.doesNotMatch(mend.stderr, /RangeError|\n\s+at /);
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.ts';
import { MendProcess, runMend } from '../helpers/mend-process.ts';

let dir: string;
let target: FlakyServer;
let config: string;
let db: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-silence-cli-'));
  target = await startFlakyServer(200);
  config = join(dir, 'mend.yaml');
  db = join(dir, 'mend.db');
  await writeFile(
    config,
    `apiVersion: mend/v1
kind: Service
metadata: { name: api, labels: { env: prod } }
spec:
  checks:
    - name: live
      periodSeconds: 0.1
      failureThreshold: 2
      http: { url: "${target.url}" }
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart }
spec:
  for: 0s
  heal: { runbook: restart }
---
apiVersion: mend/v1
kind: Runbook
metadata: { name: restart }
spec:
  steps:
    - name: restart
      exec: { command: ["${process.execPath}", "-e", ""] }
    - name: verify
      verify: {}
`,
  );
});
after(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

test('mend silence add holds what it matches in a running mend; list shows it; expire lets it heal', async () => {
  const mend = new MendProcess(['run', '-c', config, '--db', db, '--listen', '127.0.0.1:0']);
  try {
    await mend.waitForLog(/^mend running/);
    const bad = await runMend([
      'silence',
      'add',
      'env=~"("',
      '--for',
      '1h',
      '--comment',
      'x',
      '--db',
      db,
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /matcher "env=~\\"\(\\"": /);
    const both = await runMend(['silence', 'add', 'env="prod"', '--comment', 'x', '--db', db]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /give exactly one of --for DURATION and --until TIME/);

    const added = await runMend([
      'silence',
      'add',
      'env="prod"',
      'service="api"',
      '--for',
      '1h',
      '--comment',
      'planned failover',
      '--db',
      db,
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(
      added.stdout,
      /silence of env="prod" service="api" until .*: applied \(request (\d+), audited\)/,
    );
    const request = /request (\d+)/.exec(added.stdout)![1];
    const id = `sil-${request}`;

    const listed = await runMend(['silence', 'list', '-c', config, '--db', db, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const silences = JSON.parse(listed.stdout) as {
      id: string;
      matchers: string[];
      createdBy: string;
    }[];
    assert.deepEqual(
      silences.map((s) => [s.id, s.matchers, s.createdBy]),
      [[id, ['env="prod"', 'service="api"'], `cli:${userInfo().username}`]],
    );

    target.setStatus(503);
    await mend.waitForLog(
      new RegExp(`^inc-1 api: hold: silenced by silence ${id} .*planned failover`),
    );
    assert.equal(mend.countLogs(/^inc-1 api: heal:/), 0);

    const unknown = await runMend(['silence', 'expire', 'sil-999', '--db', db]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /rejected: no active silence sil-999/);
    const expired = await runMend(['silence', 'expire', id, '--db', db]);
    assert.equal(expired.code, 0, expired.stderr);
    await mend.waitForLog(/^inc-1 api: heal: /);
  } finally {
    mend.kill('SIGTERM');
    await mend.exited;
  }
  const replay = await runMend(['replay', '-c', config, '--db', db]);
  assert.equal(replay.code, 0, `${replay.stdout}${replay.stderr}`);
});

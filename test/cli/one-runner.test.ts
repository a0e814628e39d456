import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.ts';
import { MendProcess, runMend } from '../helpers/mend-process.ts';

let dir: string;
let target: FlakyServer;
let config: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-one-runner-'));
  target = await startFlakyServer(200);
  config = join(dir, 'mend.yaml');
  await writeFile(
    config,
    `apiVersion: mend/v1
kind: Service
metadata: { name: api }
spec:
  checks:
    - name: live
      periodSeconds: 0.2
      http: { url: "${target.url}" }
`,
  );
});
after(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

const runner = (db: string) =>
  new MendProcess(['run', '-c', config, '--db', db, '--listen', '127.0.0.1:0', '--workers', '0']);

test('a second mend run on a store in use is refused, naming the first; a SIGKILLed runner leaves no lock', async () => {
  const db = join(dir, 'one.db');
  const first = runner(db);
  try {
    await first.waitForLog(/^mend running/);
    const second = await runMend(['run', '-c', config, '--db', db, '--listen', '127.0.0.1:0'], {
      timeoutMs: 20_000,
    });
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, /is in use by another mend/);
    assert.match(second.stderr, new RegExp(`pid ${first.child.pid} on host ${hostname()}, since `));
    assert.match(
      second.stderr,
      /command: \S+ \S*bin\/mend\.js run -c \S+mend\.yaml --db \S+one\.db/,
    );
    assert.doesNotMatch(second.stderr, /\n\s+at /);

    // Beside the runner: a command that reads, and one that goes through an operator request
    // (the runner itself answers it).
    const listed = await runMend(['incidents', 'list', '--db', db]);
    assert.equal(listed.code, 0, listed.stderr);
    const approve = await runMend(['approve', 'inc-9:approval:1', '--db', db]);
    assert.equal(approve.code, 1);
    assert.match(approve.stderr, /rejected: no approval inc-9:approval:1 is waiting/);

    // mend demo runs a controller too: refused, and the runner's store is not moved aside.
    const demo = await runMend(['demo', '--db', db, '--listen', '127.0.0.1:0', '--no-faults'], {
      timeoutMs: 20_000,
    });
    assert.equal(demo.code, 1, demo.stderr);
    assert.match(demo.stderr, new RegExp(`in use by another mend \\(pid ${first.child.pid} `));
    assert.ok(existsSync(db));
    assert.ok(!existsSync(join(dir, 'one.previous.db')));
  } finally {
    first.kill('SIGKILL');
  }
  await first.exited;

  const third = runner(db);
  try {
    await third.waitForLog(/^mend running/);
  } finally {
    third.kill('SIGTERM');
  }
  assert.equal(await third.exited, 0, third.stderr);
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.ts';
import { MendProcess, runMend } from '../helpers/mend-process.ts';
import { createTestSchema, type TestSchema } from '../helpers/postgres.ts';

/**
 * Real `mend run` processes on PostgreSQL (a schema of the test database of their own): they
 * heal, survive SIGKILL mid-incident, keep one runner per store, and never print the password of
 * the URL. With trust auth the server never asks for the password, so any will do.
 */

const SECRET = 'pg-s3cret-in-url';
let dir: string;
let target: FlakyServer;
let config: string;
let schema: TestSchema;
/** The store URL with a password in it, as an operator would give it. */
let db: string;

before(async () => {
  schema = await createTestSchema();
  db = schema.url.replace('postgres@', `postgres:${SECRET}@`);
  dir = await mkdtemp(join(tmpdir(), 'mend-postgres-cli-'));
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
  maxAttempts: 3
  window: 1h
---
apiVersion: mend/v1
kind: Runbook
metadata: { name: restart }
spec:
  steps:
    # A restart that takes a while: mend is killed while it runs.
    - name: slow-restart
      exec: { command: ["${process.execPath}", "-e", "setTimeout(() => {}, 15000)"] }
      timeout: 30s
      idempotent: true
    - name: verify
      verify: {}
`,
  );
});
after(async () => {
  await target?.close();
  await rm(dir, { recursive: true, force: true });
  await schema?.drop();
});

async function waitForJournal(runId: string, step: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const store = await openStore({ path: db });
    try {
      const rows = await store.listJournal(runId);
      if (rows.some((row) => JSON.stringify(row.payload).includes(step))) return;
    } finally {
      await store.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no journal entry for ${step} of ${runId}`);
}

/** The store given by MEND_DB, as a deployment would (no password on the command line). */
const run = () =>
  new MendProcess(['run', '-c', config, '--listen', '127.0.0.1:0'], { MEND_DB: db });

function assertNoSecret(...outputs: string[]): void {
  for (const output of outputs) assert.ok(!output.includes(SECRET), `password shown: ${output}`);
}

test('mend run on PostgreSQL heals, is refused a second runner, and keeps its incident across SIGKILL', async () => {
  const first = run();
  try {
    await first.waitForLog(/^mend running/);
    assert.match(
      first.stdout,
      /store: +postgres:\/\/postgres:\*\*\*@127\.0\.0\.1\S+ \(PostgreSQL\)/,
    );
    // One runner per store: the second is refused, naming the first.
    const second = await runMend(['run', '-c', config, '--db', db, '--listen', '127.0.0.1:0']);
    assert.equal(second.code, 1, second.stdout + second.stderr);
    assert.match(
      second.stderr,
      new RegExp(`is in use by another mend \\(pid ${first.child.pid} on host `),
    );
    assertNoSecret(second.stdout, second.stderr);

    target.setStatus(503);
    await first.waitForLog(/^inc-1 api: heal: .*attempt 1 of 3 within 1h/);
    await waitForJournal('inc-1:heal:1', 'slow-restart');
  } finally {
    first.kill('SIGKILL');
  }
  await first.exited;
  assertNoSecret(first.stdout, first.stderr);

  const listed = await runMend(['breaker', 'list', '-c', config, '--db', db]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^api\s+restart\s+closed\s+1\s/m);

  // The server recovers while mend is down; the SIGKILLed runner's lock went with its session.
  target.setStatus(200);
  const again = run();
  try {
    await again.waitForLog(
      /^decision state rebuilt: \d+ input\(s\) replayed, 1 open incident\(s\)/,
    );
    await again.waitForLog(/^mend running/);
    await again.waitForLog(/^api\/live resolved: 1 consecutive success after failing/);
    await again.waitForLog(/^resuming inc-1:heal:1: mend stopped before it finished/);
    await again.waitForLog(/^inc-1: every signal resolved/);
    assert.equal(again.countLogs(/inc-1:heal:2/), 0);
    assert.equal(again.countLogs(/^inc-2/), 0, 'the same incident, not a new one');
    // An operator request, audited, applied by the runner through the shared database.
    const reset = await runMend(['breaker', 'reset', 'api', '--db', db]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /breaker reset of api: applied \(request \d+, audited\)/);
  } finally {
    again.kill('SIGTERM');
  }
  assert.equal(await again.exited, 0, again.stderr);
  assertNoSecret(again.stdout, again.stderr);

  const shown = await runMend(['incidents', 'show', 'inc-1', '--db', db]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /resolved/);
  const replay = await runMend(['replay', '-c', config, '--db', db]);
  assert.equal(replay.code, 0, replay.stdout);
  assert.match(
    replay.stdout,
    /^replayed \d+ recorded input\(s\); compared \d+ decision\(s\); 0 differ$/m,
  );

  // The audit log verifies; a row edited by a superuser with the trigger disabled is found.
  const verified = await runMend(['audit', 'verify', '--db', db]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  const [row] = await schema.query('select min(id) as id, count(*) as n from audit_log');
  assert.ok(Number(row?.n) > 0, 'the breaker reset is audited');
  await schema.query(
    `alter table audit_log disable trigger audit_log_no_change;
     update audit_log set target = 'forged' where id = ${Number(row?.id)};
     alter table audit_log enable trigger audit_log_no_change`,
  );
  const tampered = await runMend(['audit', 'verify', '--db', db]);
  assert.equal(tampered.code, 1, tampered.stdout + tampered.stderr);
  assert.match(tampered.stdout, /its content does not match its hash: edited after it was written/);
  assertNoSecret(tampered.stdout, tampered.stderr, verified.stdout);
});

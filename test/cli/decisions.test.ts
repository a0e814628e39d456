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
let config: string;
let db: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-decisions-cli-'));
  target = await startFlakyServer(200);
  config = join(dir, 'mend.yaml');
  db = join(dir, 'mend.db');
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
  heal: { runbook: restart, params: { unit: "{{service.name}}" } }
  maxAttempts: 3
  window: 1h
---
apiVersion: mend/v1
kind: Runbook
metadata: { name: restart }
spec:
  params:
    unit: { type: string }
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
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

async function waitForJournal(path: string, runId: string, step: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const store = await openStore({ path });
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

const run = () => new MendProcess(['run', '-c', config, '--db', db, '--listen', '127.0.0.1:0']);

test('a restart of mend run mid-incident keeps the incident, the breaker and its attempts', async () => {
  const first = run();
  try {
    await first.waitForLog(/^mend running/);
    target.setStatus(503);
    await first.waitForLog(/^inc-1 api: heal: .*attempt 1 of 3 within 1h/);
    // The step's intent is journaled before it runs: wait for the step to be under way.
    await waitForJournal(db, 'inc-1:heal:1', 'slow-restart');
  } finally {
    first.kill('SIGKILL');
  }
  await first.exited;

  const listed = await runMend(['breaker', 'list', '-c', config, '--db', db]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^api\s+restart\s+closed\s+1\s/m);

  // The server recovers while mend is down: the new mend never sees the check fail, yet it must
  // resolve the signal the record holds firing, or the incident would never close.
  target.setStatus(200);
  const second = run();
  try {
    await second.waitForLog(
      /^decision state rebuilt: \d+ input\(s\) replayed, 1 open incident\(s\)/,
    );
    await second.waitForLog(/^mend running/);
    await second.waitForLog(/^api\/live resolved: 1 consecutive success after failing/);
    // The heal in flight was recorded and dispatched before the kill: it resumes from its
    // journal (the step is idempotent, so it runs again), it is not decided again.
    await second.waitForLog(/^resuming inc-1:heal:1: mend stopped before it finished/);
    assert.equal(second.countLogs(/inc-1:heal:2/), 0);
    assert.equal(second.countLogs(/^inc-2/), 0, 'the same incident, not a new one');

    const reset = await runMend(['breaker', 'reset', 'api', '--db', db]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /breaker reset of api: applied \(request \d+, audited\)/);
    const unknown = await runMend(['approve', 'inc-9:approval:1', '--db', db]);
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /approval of inc-9:approval:1: rejected: no approval inc-9:approval:1 is waiting/,
    );
  } finally {
    second.kill('SIGTERM');
  }
  assert.equal(await second.exited, 0, second.stderr);

  const replay = await runMend(['replay', '-c', config, '--db', db]);
  assert.equal(replay.code, 0, replay.stdout);
  assert.match(
    replay.stdout,
    /^replayed \d+ recorded input\(s\); compared \d+ decision\(s\); 0 differ$/m,
  );
});

test('mend test runs the shipped policy tests; a failing expectation exits 1 with a diff', async () => {
  const ok = await runMend(['test', 'examples/policies/policies.test.yaml']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /pass/i);
  const broken = join(dir, 'broken.test.yaml');
  await writeFile(
    broken,
    `config: [${JSON.stringify(join(process.cwd(), 'examples/policies/services.yaml'))}, ${JSON.stringify(join(process.cwd(), 'examples/policies/policies.yaml'))}]
start: 2026-11-24T10:00:00Z
cases:
  - name: expects a heal that policy never does
    inputs:
      - { at: 0s, fire: { service: api, check: live } }
    expect:
      - at: 5s
        commands: [heal: { id: "inc-1:heal:1" }]
`,
  );
  const failed = await runMend(['test', broken]);
  assert.equal(failed.code, 1, failed.stdout);
  assert.match(failed.stdout, /inc-1:heal:1/);
});

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MendProcess, runMend } from '../helpers/mend-process.ts';
import type { Receiver } from '../runbooks/pipelines/receiver.ts';
import {
  pipelineStep,
  type System,
  startSystem,
  TOKENS_ENV,
} from '../runbooks/pipelines/systems.ts';

const q = JSON.stringify;

/** A service whose check passes once `file` holds `ok`, healed by a pipeline that repairs it. */
const config = (system: System, receiver: Receiver, file: string) => `apiVersion: mend/v1
kind: Service
metadata: {name: app}
spec:
  checks:
    - name: config
      periodSeconds: 0.2
      failureThreshold: 1
      exec: {command: [grep, -qx, ok, ${q(file)}]}
---
apiVersion: mend/v1
kind: Policy
metadata: {name: app}
spec:
  for: 0s
  match: {services: {names: [app]}}
  heal: {runbook: redeploy}
---
apiVersion: mend/v1
kind: Runbook
metadata: {name: redeploy}
spec:
  steps:
${pipelineStep(system, receiver)}
      timeout: 2m
    - verify: {interval: 100ms}
      timeout: 30s
---
`;

async function until(what: string, ready: () => boolean, mend: MendProcess, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline || mend.child.exitCode !== null) {
      throw new Error(
        `${what}: not within ${timeoutMs} ms\nstdout:\n${mend.stdout}\nstderr:\n${mend.stderr}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * mend starts a pipeline run, records it, and is SIGKILLed while it waits for the run; a new mend
 * on the same store resumes the heal, follows the same run to its end (the receiver counts one
 * start), and the heal succeeds; the report says the run was followed, not started again.
 */
for (const system of ['github', 'gitlab', 'jenkins'] as const) {
  test(`${system}: mend SIGKILLed while it waits for the run; the restarted mend follows that run, started once`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), `mend-e2e-${system}-`));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'app.conf');
    await writeFile(file, 'broken\n');
    const receiver = await startSystem(system, {
      ends: 'success',
      held: true,
      polls: 1,
      repairs: file,
    });
    t.after(() => receiver.close());
    const path = join(dir, 'mend.yaml');
    await writeFile(path, config(system, receiver, file));
    const db = join(dir, 'mend.db');
    const args = ['run', '-c', path, '--db', db, '--listen', '127.0.0.1:0'];
    const first = new MendProcess(args, TOKENS_ENV);
    t.after(() => first.kill('SIGKILL'));
    // Following the run: its record is journaled, the status asked more than once.
    await until('the first mend follows the run', () => receiver.statusRequests >= 2, first);
    first.kill('SIGKILL');
    await first.exited;
    assert.equal(first.countLogs(/succeeded/), 0, 'the heal ended before the kill');
    const asked = receiver.statusRequests;

    const second = new MendProcess(args, TOKENS_ENV);
    t.after(async () => {
      if (second.child.exitCode === null && second.child.signalCode === null)
        second.kill('SIGTERM');
      await second.exited;
    });
    await until(
      'the restarted mend follows the same run',
      () => receiver.statusRequests > asked,
      second,
    );
    receiver.release();
    const healed = await second.waitForLog(
      /^runbook redeploy on app \((inc-\d+):heal:\d+\): succeeded/,
      60_000,
    );
    assert.equal(receiver.starts, 1, 'a second run was started');
    assert.deepEqual(receiver.problems, []);
    assert.equal(await readFile(file, 'utf8'), 'ok\n');
    second.kill('SIGTERM');
    await second.exited;

    const incident = /\((inc-\d+):heal/.exec(healed)![1]!;
    const shown = await runMend(['incidents', 'show', incident, '--format', 'md', '--db', db]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(
      shown.stdout,
      /resumed after mend restarted: followed the \w+ \w+ it had recorded/,
    );
    assert.match(
      shown.stdout,
      /(conclusion success|status success|result SUCCESS) after \d+ request/,
    );
    assert.match(shown.stdout, new RegExp(receiver.url.replace(/[.]/g, '\\.')));
    // Redacted everywhere: the report, and both mends' logs.
    for (const token of Object.values(TOKENS_ENV)) {
      for (const text of [shown.stdout, first.stdout, first.stderr, second.stdout, second.stderr]) {
        assert.ok(!text.includes(token), `a token in the output: ${token}`);
      }
    }
  });
}

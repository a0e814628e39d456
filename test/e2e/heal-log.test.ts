import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MendProcess, runMend } from '../helpers/mend-process.ts';

const q = JSON.stringify;

/**
 * A service that logs a line every 40 ms, ERROR while `flag` exists. Each line opens, appends
 * and closes the file, as loggers that reopen by name do: after a rotation by rename the next
 * line goes to the new file.
 */
const WRITER = `const fs = require('node:fs');
const [log, flag] = process.argv.slice(1);
let n = 0;
setInterval(() => {
  n++;
  const line = fs.existsSync(flag) ? 'ERROR cannot reach upstream (request ' + n + ')' : 'INFO served request ' + n;
  fs.appendFileSync(log, line + '\\n');
}, 40);`;

const config = (log: string, flag: string) => `apiVersion: mend/v1
kind: Service
metadata: {name: app}
spec:
  checks:
    - name: errors
      periodSeconds: 0.2
      failureThreshold: 1
      log: {path: ${q(log)}, pattern: "^ERROR", windowSeconds: 2, threshold: 5, startAt: start}
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
    - name: clear the fault
      exec: {command: [rm, -f, ${q(flag)}]}
    - verify: {successThreshold: 5, interval: 300ms}
`;

interface Shown {
  id: string;
  status: string;
  timeline: unknown[];
  signals: { status: string; evidence: { output?: string; error?: string }[] }[];
}

/** The matched lines a firing signal of the incident kept as its evidence. */
const evidenceOf = (incident: Shown) =>
  incident.signals
    .filter((signal) => signal.status === 'firing')
    .flatMap((signal) => signal.evidence.map((observation) => observation.output ?? ''))
    .join('\n');

test('errors in a log file that is rotated under mend heal the service; a restart reads no old line again', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-e2e-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'app.log');
  const flag = join(dir, 'broken');
  const configFile = join(dir, 'mend.yaml');
  const db = join(dir, 'mend.db');
  await writeFile(configFile, config(log, flag));
  await writeFile(log, '');

  const writer: ChildProcess = spawn(process.execPath, ['-e', WRITER, log, flag], {
    stdio: 'ignore',
  });
  t.after(async () => {
    if (writer.exitCode === null && writer.signalCode === null) {
      writer.kill('SIGKILL');
      await once(writer, 'exit');
    }
  });
  const start = () =>
    new MendProcess(['run', '-c', configFile, '--db', db, '--listen', '127.0.0.1:0']);
  let mend = start();
  t.after(async () => {
    if (mend.child.exitCode === null && mend.child.signalCode === null) mend.kill('SIGTERM');
    await mend.exited;
  });
  await mend.waitForLog(/^mend running: 1 service/, 30_000);
  // Healthy lines first; then the fault, and a logrotate-style rename in the middle of it.
  await new Promise((resolve) => setTimeout(resolve, 600));
  await writeFile(flag, '');
  await waitFor(async () => (await readFile(log, 'utf8')).includes('ERROR'), 5000);
  await rename(log, `${log}.1`);
  const healed = await mend.waitForLog(
    /^runbook repair on app \((inc-\d+):heal:\d+\): succeeded: verified healthy/,
    60_000,
  );
  const id = /\((inc-\d+):heal/.exec(healed)![1]!;
  assert.ok((await stat(`${log}.1`)).size > 0);
  await waitFor(async () => (await show(db, id)).status === 'resolved', 30_000);

  const incident = await show(db, id);
  assert.match(
    JSON.stringify(incident.timeline),
    /line\(s\) matched \\"\^ERROR\\" in the last 2s \(threshold 5\)/,
  );
  const evidence = evidenceOf(incident);
  assert.match(
    evidence,
    /^ERROR cannot reach upstream \(request \d+\)$/m,
    'matched lines are evidence',
  );
  assert.doesNotMatch(evidence, /INFO served request/, 'only matched lines are evidence');

  // Stopped, the file keeps its ERROR lines from before the heal; lines written while mend is
  // away are news. The cursor in the store must tell the two apart (the check reads from the
  // file's start when it has no cursor: startAt start).
  mend.kill('SIGTERM');
  assert.equal(await mend.exited, 0, mend.stdout + mend.stderr);
  assert.match(await readFile(log, 'utf8'), /^ERROR/m);
  writer.kill('SIGKILL');
  await once(writer, 'exit');
  const away = Array.from({ length: 6 }, (_, i) => `ERROR written while mend was away ${i}\n`);
  await appendFile(log, away.join(''));
  mend = start();
  const second = await waitFor(async () => {
    const list = await listIncidents(db);
    return list.find((i) => i !== id);
  }, 30_000);
  const secondIncident = await show(db, second);
  const secondEvidence = evidenceOf(secondIncident);
  assert.match(secondEvidence, /ERROR written while mend was away 5/);
  assert.doesNotMatch(
    secondEvidence,
    /cannot reach upstream/,
    'lines read before the restart were read again',
  );
  assert.match(JSON.stringify(secondIncident.timeline), /: 6 line\(s\) matched/);
});

async function show(db: string, id: string): Promise<Shown> {
  const shown = await runMend(['incidents', 'show', id, '--format', 'json', '--db', db]);
  assert.equal(shown.code, 0, shown.stderr);
  return JSON.parse(shown.stdout) as Shown;
}

async function listIncidents(db: string): Promise<string[]> {
  const listed = await runMend(['incidents', 'list', '--json', '--db', db]);
  assert.equal(listed.code, 0, listed.stderr);
  return (JSON.parse(listed.stdout) as { id: string }[]).map((i) => i.id);
}

async function waitFor<T>(probe: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MendProcess, runMend } from '../helpers/mend-process.ts';
import { LOCAL_VARS, REPAIR_PLAYBOOK } from '../runbooks/step-contract/ansible.ts';

const q = JSON.stringify;

/** A service whose exec check passes only while `file` holds exactly `ok`. */
const service = (name: string, file: string) => `apiVersion: mend/v1
kind: Service
metadata: {name: ${name}}
spec:
  checks:
    - name: config
      periodSeconds: 0.2
      failureThreshold: 1
      exec: {command: [grep, -qx, ok, ${q(file)}]}
---
`;

/** A policy that heals `name` with runbook `name`: the repair playbook with `tags`. */
const healedBy = (
  name: string,
  file: string,
  tags: string[],
  shadow = false,
) => `apiVersion: mend/v1
kind: Policy
metadata: {name: ${name}}
spec:
  for: 0s
  shadow: ${shadow}
  match: {services: {names: [${name}]}}
  heal: {runbook: ${name}}
---
apiVersion: mend/v1
kind: Runbook
metadata: {name: ${name}}
spec:
  steps:
    - name: repair
      ansible:
        playbook: ${q(REPAIR_PLAYBOOK)}
        hosts: [localhost]
        tags: ${q(tags)}
        vars: ${q({ ...LOCAL_VARS, target: file, content: 'ok' })}
    - verify: {}
---
`;

test('a playbook heals a service whose check reads the file it repairs; a failing task fails the heal with its message; a dry run is check mode', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-e2e-ansible-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const appConf = join(dir, 'app.conf');
  const stuckConf = join(dir, 'stuck.conf');
  const shadowConf = join(dir, 'shadowed.conf');
  await writeFile(appConf, 'broken\n');
  await writeFile(stuckConf, 'broken\n');
  await writeFile(shadowConf, 'broken\n');
  const config = join(dir, 'mend.yaml');
  await writeFile(
    config,
    service('app', appConf) +
      service('stuck', stuckConf) +
      healedBy('app', appConf, ['repair']) +
      healedBy('stuck', stuckConf, ['break', 'repair']) +
      service('shadowed', shadowConf) +
      healedBy('shadowed', shadowConf, ['repair'], true),
  );
  const db = join(dir, 'mend.db');
  // Ansible's own files go to a private folder per run, inside mend's TMPDIR: nothing stays.
  const temp = join(dir, 'tmp');
  await mkdir(temp);
  const env = { TMPDIR: temp };

  // The dry run asks Ansible what it would change (--check --diff) and changes nothing.
  const dry = await runMend(
    ['runbook', 'run', 'app', '--service', 'app', '--dry-run', '-c', config, '--db', db],
    { timeoutMs: 60_000, env },
  );
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /--check/);
  assert.match(dry.stdout, /check mode: ok/);
  assert.match(dry.stdout, /localhost: ok=1 changed=1 unreachable=0 failed=0/);
  assert.match(dry.stdout, /would change: localhost: "write the config"\n\s+- broken\n\s+\+ ok\n/);
  assert.equal(await readFile(appConf, 'utf8'), 'broken\n', 'check mode changed the file');

  const mend = new MendProcess(['run', '-c', config, '--db', db, '--listen', '127.0.0.1:0'], env);
  t.after(async () => {
    if (mend.child.exitCode === null && mend.child.signalCode === null) mend.kill('SIGTERM');
    await mend.exited;
  });
  const healed = await mend.waitForLog(
    /^runbook app on app \((inc-\d+):heal:\d+\): succeeded: verified healthy/,
    90_000,
  );
  const failed = await mend.waitForLog(
    /^runbook stuck on stuck \((inc-\d+):heal:\d+\): failed/,
    90_000,
  );
  assert.equal(await readFile(appConf, 'utf8'), 'ok\n');
  assert.equal(
    await readFile(stuckConf, 'utf8'),
    'broken\n',
    'the play stopped at the failing task',
  );
  // Shadow mode heals nothing, and asks the playbook what it would have changed.
  const previewed = await mend.waitForLog(
    /^preview of runbook shadowed on shadowed \((inc-\d+):preview:1\): shadow: nothing changed; check mode: steps\[0\] repair: ok/,
    90_000,
  );
  assert.match(
    failed,
    /"refuse on purpose" failed: cannot repair .*stuck\.conf: the disk is read-only/,
  );
  mend.kill('SIGTERM');
  await mend.exited;
  const left = (await readdir(temp)).filter((name) => name.startsWith('mend-ansible-'));
  assert.deepEqual(left, [], 'a run left its private folder behind');

  const show = async (line: string, format: string) => {
    const id = /\((inc-\d+):heal/.exec(line)![1]!;
    const shown = await runMend(['incidents', 'show', id, '--format', format, '--db', db]);
    assert.equal(shown.code, 0, shown.stderr);
    return shown.stdout;
  };
  assert.equal(await readFile(shadowConf, 'utf8'), 'broken\n', 'shadow mode changed the file');
  const previewMd = await show(previewed.replace(':preview', ':heal'), 'md');
  assert.match(previewMd, /### Would heal \(shadow, check mode only\) `inc-\d+:preview:1`/);
  assert.match(previewMd, /would change: localhost: "write the config"\n\s+- broken\n\s+\+ ok/);
  const healedMd = await show(healed, 'md');
  assert.match(healedMd, /localhost: ok=1 changed=1 unreachable=0 failed=0/);
  assert.match(healedMd, /changed: localhost: "write the config"/);
  // The text view names the failed task in the outcome; the report adds each host's recap.
  const failedText = await show(failed, 'text');
  assert.match(
    failedText,
    /outcome failed .*"refuse on purpose" failed: cannot repair .*read-only/,
  );
  const failedMd = await show(failed, 'md');
  assert.match(failedMd, /localhost: ok=0 changed=0 unreachable=0 failed=1/);
  assert.match(
    failedMd,
    /failed: localhost: "refuse on purpose": cannot repair .*the disk is read-only/,
  );
});

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StepIntent, StepRecord } from '../../src/runbooks/journal.ts';
import { errorLines } from '../config/files.ts';
import {
  configFrom,
  driveHeal,
  heal,
  reports,
  runbookYaml,
  serviceYaml,
  silentLog,
  tempStore,
  withTempDir,
} from './helpers.ts';
import { LOCAL_VARS, REPAIR_PLAYBOOK } from './step-contract/ansible.ts';

const q = JSON.stringify;

/** A runbook `heal` whose one action is the repair playbook on localhost, then verify. */
function ansibleRunbook(fields: string, extraSpec = ''): string {
  return runbookYaml(
    'heal',
    `${extraSpec}  steps:
    - name: repair
      ansible:
        playbook: ${q(REPAIR_PLAYBOOK)}
        hosts: [localhost]
${fields
  .split('\n')
  .map((line) => `        ${line}`)
  .join('\n')}
    - verify: {}`,
  );
}

test('load: a playbook that does not exist, a bad tag, inventory and hosts together: FILE:LINE:COL', async () => {
  const lines = await errorLines({
    'r.yaml': [
      runbookYaml(
        'a',
        '  steps:\n    - ansible: {playbook: /nonexistent/mend/repair.yml, tags: ["a,b"]}\n    - verify: {}',
      ),
      runbookYaml(
        'b',
        `  steps:\n    - ansible: {playbook: ${q(REPAIR_PLAYBOOK)}, inventory: ${q(REPAIR_PLAYBOOK)}, hosts: [x]}\n    - verify: {}`,
      ),
      runbookYaml(
        'c',
        '  steps:\n    - ansible: {playbook: relative/repair.yml, vars: {mend: 1}}\n    - verify: {}',
      ),
    ].join(''),
  });
  const text = lines.join('\n');
  assert.match(
    text,
    /^r\.yaml:\d+:\d+: spec\.steps\[0\]\.ansible\.playbook: expected a playbook that exists \(nothing is at this path\), found "\/nonexistent\/mend\/repair\.yml"$/m,
  );
  assert.match(
    text,
    /^r\.yaml:\d+:\d+: spec\.steps\[0\]\.ansible\.tags\[0\]: expected a tag name/m,
  );
  assert.match(
    text,
    /^r\.yaml:\d+:\d+: spec\.steps\[0\]\.ansible\.hosts: expected inventory or hosts, found both$/m,
  );
  assert.match(
    text,
    /^r\.yaml:\d+:\d+: spec\.steps\[0\]\.ansible\.playbook: expected a playbook as an absolute path \(this one is relative\), found "relative\/repair\.yml"$/m,
  );
  assert.match(
    text,
    /^r\.yaml:\d+:\d+: spec\.steps\[0\]\.ansible\.vars\.mend: expected another variable name: mend is mend’s own/m,
  );
});

test('a param reaches the play as data: Jinja in a value is written as it is, never evaluated; the vars never on the command line', () =>
  withTempDir(async (dir) => {
    const target = join(dir, 'app.conf');
    await writeFile(target, 'broken\n');
    const vars = q({ ...LOCAL_VARS, target, content: '{{params.content}}' });
    const config = await configFrom(
      dir,
      serviceYaml('api') +
        ansibleRunbook(`tags: [repair]\nvars: ${vars}`, '  params:\n    content: {}\n'),
    );
    const store = await tempStore(dir);
    try {
      const { createRunbookExecutor } = await import('../../src/runbooks/executor.ts');
      const executor = createRunbookExecutor({ config: () => config, store, log: silentLog });
      const { report } = reports();
      const jinja = "{{ lookup('env', 'HOME') }} {{ 7 * 7 }}";
      const outcome = await executor.run(
        { ...requestOf(heal('heal', 'api', { content: jinja })), actor: 't' },
        report,
      );
      assert.equal(outcome?.result, 'succeeded', outcome?.detail);
      assert.equal(await readFile(target, 'utf8'), `${jinja}\n`);
      const rows = await store.listJournal('inc-1:heal:1');
      const intent = rows.find((r) => r.phase === 'intent' && r.stepIndex === 0)!
        .payload as StepIntent;
      const argv = intent.command.argv as string[];
      assert.deepEqual(argv.slice(-2), ['-e', '@vars.json']);
      assert.ok(!argv.some((arg) => arg.includes(jinja)), q(argv));
      assert.equal((intent.command.vars as Record<string, unknown>).content, jinja);
      const record = rows.find((r) => r.phase === 'result' && r.stepIndex === 0)!
        .payload as StepRecord;
      assert.match(record.output ?? '', /^localhost: ok=1 changed=1 unreachable=0 failed=0/);
      assert.match(record.output ?? '', /changed: localhost: "write the config"\n {4}- broken\n/);
    } finally {
      await store.close();
    }
  }));

test('SIGKILL of mend during the play: the resumed run stops with outcome unknown, the play ran once', () =>
  withTempDir(async (dir) => {
    const target = join(dir, 'app.conf');
    const started = join(dir, 'started');
    await writeFile(target, 'broken\n');
    const vars = q({ ...LOCAL_VARS, target, content: 'ok', started_file: started, pause_s: 2 });
    await writeFile(
      join(dir, 'mend.yaml'),
      serviceYaml('api') + ansibleRunbook(`tags: [slow, repair]\nvars: ${vars}`),
    );
    const hasStarted = async () => (await readFile(started, 'utf8').catch(() => '')) !== '';
    const killed = await driveHeal(dir, {}, hasStarted);
    assert.equal(killed.signal, 'SIGKILL', killed.stdout);
    assert.ok(!killed.stdout.includes('journaled result:steps:0'), killed.stdout);
    const restarted = await driveHeal(dir);
    assert.equal(restarted.outcome?.result, 'unknown', q(restarted.outcome));
    assert.match(
      restarted.outcome!.detail,
      /steps\[0\] repair: .*not idempotent, so it is not run again/,
    );
    // The play mend lost sight of goes on by itself; once it is done, it ran exactly once.
    const deadline = Date.now() + 60_000;
    while ((await readFile(target, 'utf8')) !== 'ok\n') {
      assert.ok(Date.now() < deadline, 'the orphaned play did not finish within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual((await readFile(started, 'utf8')).trim().split('\n'), [
      'started inc-1:heal:1',
    ]);
  }));

function requestOf(command: ReturnType<typeof heal>) {
  return {
    runId: command.id,
    runbook: command.runbook,
    service: command.service,
    params: command.params,
    incidentId: command.incidentId,
  };
}

test('the example runbook loads once its playbook and inventory are where it names them', () =>
  withTempDir(async (dir) => {
    const example = fileURLToPath(
      new URL('../../examples/runbooks/ansible-repair-config.yaml', import.meta.url),
    );
    const playbook = fileURLToPath(
      new URL('../../examples/runbooks/playbooks/repair-nginx-config.yml', import.meta.url),
    );
    const inventory = join(dir, 'hosts');
    await writeFile(inventory, 'web-1\n');
    const text = (await readFile(example, 'utf8'))
      .replaceAll('/etc/mend/playbooks/repair-nginx-config.yml', playbook)
      .replaceAll('/etc/ansible/hosts', inventory);
    const config = await configFrom(dir, text);
    const [step] = config.runbooks[0]!.steps;
    assert.equal(step!.kind, 'ansible');
    assert.equal(step!.idempotent, true);
  }));

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import { MendProcess, runMend } from '../helpers/mend-process.ts';
import { ATTACK, ATTACK_SHOWN, RAW_CONTROL } from '../helpers/terminal.ts';
import { NODE, PRINT_ARGV, runbookYaml, serviceYaml, withTempDir } from './helpers.ts';

const q = JSON.stringify;

async function writeConfig(dir: string): Promise<string> {
  const file = join(dir, 'mend.yaml');
  await writeFile(
    file,
    serviceYaml('api') +
      runbookYaml(
        'restart',
        `  params: {service: {pattern: "[a-z]+"}}
  evidence:
    - exec: {command: [${q(NODE)}, -e, "console.log('status: down')"]}
  steps:
    - name: restart
      exec: {command: [${q(NODE)}, ${q(PRINT_ARGV)}, restart, "{{params.service}}"]}
    - verify: {}`,
      ) +
      runbookYaml('broken', '  steps:\n    - exec: {command: [/bin/false]}\n    - verify: {}') +
      runbookYaml('slow', '  steps:\n    - wait: {duration: 1s}\n    - verify: {}'),
  );
  return file;
}

test('mend runbook run: a live view of each step, journaled and audited; exit 0 when verified', () =>
  withTempDir(async (dir) => {
    const config = await writeConfig(dir);
    const db = join(dir, 'mend.db');
    const { code, stdout } = await runMend([
      'runbook',
      'run',
      'restart',
      '--service',
      'api',
      '--param',
      'service=api',
      '-c',
      config,
      '--db',
      db,
    ]);
    assert.equal(code, 0, stdout);
    const runId = /^run (\S+)$/m.exec(stdout)?.[1];
    assert.ok(runId?.startsWith('cli:api:restart:'));
    const body = stdout.replace(/ in [\d.]+m?s\b/g, ' in N');
    assert.ok(body.includes('runbook restart (revision '), body);
    assert.ok(
      body.includes(
        `> evidence[0] exec: ${NODE} -e "console.log('status: down')"\n  ok in N, exit 0\n  | status: down\n`,
      ),
      body,
    );
    assert.ok(
      body.includes(
        `> steps[0] restart (exec): ${NODE} ${PRINT_ARGV} restart api\n  ok in N, exit 0\n  | ["restart","api"]\n`,
      ),
      body,
    );
    assert.ok(
      body.includes(
        '> steps[1] verify: re-run the check that fired (by hand: every check) until it passes\n  ok in N\n',
      ),
      body,
    );
    assert.ok(body.trimEnd().endsWith('SUCCEEDED: verified healthy by steps[1] verify'), body);
    const store = await openStore({ path: db });
    const audit = await store.listAudit();
    const journal = await store.listJournal(runId!);
    await store.close();
    const actor = `cli:${userInfo().username}`;
    assert.deepEqual(
      audit.map((a) => [a.actor, a.action, a.target, a.result]),
      [
        [actor, 'runbook.run', 'runbook/api/restart', 'ok'],
        [actor, 'runbook.outcome', 'runbook/api/restart', 'ok'],
      ],
    );
    assert.deepEqual(audit[1]!.params, {
      runId,
      result: 'succeeded',
      detail: 'verified healthy by steps[1] verify',
    });
    assert.equal(journal.length, 8);
    assert.equal((journal[0]!.payload as { actor: string }).actor, actor);
  }));

test('a failed run exits 1; bad params and unknown names are refused before anything runs', () =>
  withTempDir(async (dir) => {
    const config = await writeConfig(dir);
    const db = join(dir, 'mend.db');
    const failed = await runMend([
      'runbook',
      'run',
      'broken',
      '--service',
      'api',
      '-c',
      config,
      '--db',
      db,
    ]);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /\n {2}FAILED in [\d.]+m?s, exit 1: exit code 1, expected 0\n/);
    assert.match(
      failed.stdout,
      /FAILED: steps\[0\] exec failed: exit code 1, expected 0; no onFailure steps\n$/,
    );
    const params = await runMend([
      'runbook',
      'run',
      'restart',
      '--service',
      'api',
      '--param',
      'service=--help',
      '-c',
      config,
      '--db',
      db,
    ]);
    assert.equal(params.code, 1);
    assert.match(
      params.stdout,
      /FAILED: params do not validate: params\.service: expected a value that does not begin with "-"/,
    );
    const typo = await runMend([
      'runbook',
      'run',
      'restat',
      '--service',
      'api',
      '-c',
      config,
      '--db',
      db,
    ]);
    assert.equal(typo.code, 1);
    assert.equal(typo.stderr, 'mend: no runbook named "restat" (did you mean "restart"?)\n');
    const usage = await runMend([
      'runbook',
      'run',
      'restart',
      '--service',
      'api',
      '--param',
      'novalue',
      '-c',
      config,
    ]);
    assert.equal(usage.code, 2);
  }));

test('--dry-run shows every step rendered and runs nothing', () =>
  withTempDir(async (dir) => {
    const config = await writeConfig(dir);
    const db = join(dir, 'mend.db');
    const { code, stdout } = await runMend([
      'runbook',
      'run',
      'restart',
      '--service',
      'api',
      '--param',
      'service=api',
      '--dry-run',
      '-c',
      config,
      '--db',
      db,
    ]);
    assert.equal(code, 0, stdout);
    assert.ok(stdout.startsWith('dry run of runbook restart on api: nothing runs\n'));
    assert.ok(stdout.includes(`"argv":[${q(NODE)},${q(PRINT_ARGV)},"restart","api"]`), stdout);
    const store = await openStore({ path: db });
    const audit = await store.listAudit();
    await store.close();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['runbook.dry-run'],
    );
  }));

test('the live view shows params and output without letting them drive the terminal', () =>
  withTempDir(async (dir) => {
    const config = join(dir, 'noisy.yaml');
    // A param with a newline and escape sequences, a step that prints them (with a tab, a CRLF
    // and a CR that would overwrite its line) and fails saying them.
    const print = `process.stdout.write('col1\\tcol2\\r\\n' + process.argv[1] + '\\rover\\n'); process.exit(3)`;
    await writeFile(
      config,
      serviceYaml('api') +
        runbookYaml(
          'noisy',
          `  params: {note: {}}
  steps:
    - name: say
      exec: {command: [${q(NODE)}, -e, ${q(print)}, "{{params.note}}"]}
    - verify: {}`,
        ),
    );
    const note = `line one\n${ATTACK}`;
    const args = ['runbook', 'run', 'noisy', '--service', 'api', '--param', `note=${note}`];
    const { code, stdout } = await runMend([...args, '-c', config, '--db', join(dir, 'mend.db')]);
    assert.equal(code, 1);
    assert.equal(RAW_CONTROL.test(stdout), false, JSON.stringify(stdout));
    const lines = stdout.split('\n');
    assert.match(
      lines[1]!,
      /, params note="line one\\n\\u001b]0;PWNED\\u0007.*fake: all healthy"$/,
    );
    assert.match(
      lines[2]!,
      /^> steps\[0\] say \(exec\): .* "line one\\n\\u001b]0;PWNED.*fake: all healthy"$/,
    );
    assert.deepEqual(lines.slice(4, 7), [
      '  | col1\tcol2',
      '  | line one',
      `  | ${ATTACK_SHOWN}\\rover`,
    ]);
    const dry = await runMend([...args, '--dry-run', '-c', config, '--db', join(dir, 'mend.db')]);
    assert.equal(RAW_CONTROL.test(dry.stdout), false, JSON.stringify(dry.stdout));
    assert.equal(dry.stdout.trimEnd().split('\n').length, 5, dry.stdout);
  }));

test('Ctrl-C stops the run where it is; --run-id resumes it', () =>
  withTempDir(async (dir) => {
    const config = await writeConfig(dir);
    const db = join(dir, 'mend.db');
    const mend = new MendProcess([
      'runbook',
      'run',
      'slow',
      '--service',
      'api',
      '-c',
      config,
      '--db',
      db,
    ]);
    const deadline = Date.now() + 10_000;
    while (!mend.stdout.includes('> steps[0] wait') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    mend.kill('SIGINT');
    assert.equal(await mend.exited, 1);
    const runId = /resume with --run-id (\S+)/.exec(mend.stdout)?.[1];
    assert.ok(runId, mend.stdout);
    const resumed = await runMend([
      'runbook',
      'run',
      'slow',
      '--service',
      'api',
      '-c',
      config,
      '--db',
      db,
      '--run-id',
      runId,
    ]);
    assert.equal(resumed.code, 0, resumed.stdout);
    assert.match(
      resumed.stdout,
      /^resuming run [\s\S]*> steps\[0\] wait: INTERRUPTED: mend stopped while this step ran; running it again \(it is idempotent\)\n> steps\[0\] wait \(attempt 2\): wait 1000 ms\n/,
    );
  }));

test("mend runbook run audits its params with the runbook's secrets cut, as the journal keeps them", () =>
  withTempDir(async (dir) => {
    const file = join(dir, 'mend.yaml');
    await writeFile(
      file,
      serviceYaml('api') +
        runbookYaml(
          'rotate',
          `  params: {note: {type: string}}
  steps:
    - exec: {command: [${q(NODE)}, -e, "0"], env: {TOKEN: {valueFrom: {env: MEND_TEST_ROTATE_SECRET}}}}
    - verify: {}`,
        ),
    );
    const db = join(dir, 'mend.db');
    const secret = 'hunter2-the-secret';
    for (const extra of [['--dry-run'], []]) {
      const run = new MendProcess(
        [
          'runbook',
          'run',
          'rotate',
          '--service',
          'api',
          '--param',
          `note=was ${secret}`,
          ...extra,
          '-c',
          file,
          '--db',
          db,
        ],
        { MEND_TEST_ROTATE_SECRET: secret },
      );
      assert.equal(await run.exited, 0, run.stdout + run.stderr);
    }
    const store = await openStore({ path: db });
    const audit = await store.listAudit();
    await store.close();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['runbook.dry-run', 'runbook.run', 'runbook.outcome'],
    );
    const text = JSON.stringify(audit);
    assert.equal(text.includes(secret), false, text);
    assert.equal((audit[0]!.params as { params: { note: string } }).params.note, 'was [redacted]');
  }));

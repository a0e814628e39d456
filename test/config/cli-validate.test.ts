import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { service, withFiles } from './files.ts';

const bin = fileURLToPath(new URL('../../bin/mend.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real CLI in a child process, on the Node running the tests (>= 22.12). */
function mend(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const valid = {
  'conf/a.yaml': `${service('api', '  dependsOn: [db]\n  checks:\n    - {name: live, tcp: {port: 80}}\n    - {name: ready, http: {url: "http://127.0.0.1/"}}')}`,
  'conf/b.yaml': service('db', '  checks:\n    - {name: up, tcp: {port: 5432}}'),
  'more.yaml': service('cache'),
};

test('valid: exit 0 and a one-line summary', async () => {
  await withFiles(valid, async (dir) => {
    const run = await mend(['validate', '-c', 'conf', '-c', 'more.yaml'], dir);
    assert.deepEqual(run, {
      code: 0,
      stdout: 'valid: 3 services, 3 checks in 3 files\n',
      stderr: '',
    });
  });
});

test('invalid: exit 1, every error on stderr, then a count', async () => {
  const files = { ...valid, 'more.yaml': `${service('cache', '  checks: 5')}---\nkind: Nope\n` };
  await withFiles(files, async (dir) => {
    const run = await mend(['validate', '--config', 'conf', 'more.yaml'], dir);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      [
        'more.yaml:6:11: spec.checks: expected a list, found 5',
        'more.yaml:8:1: apiVersion: expected "mend/v1", found nothing (the field is required)',
        'more.yaml:8:1: metadata: expected a mapping, found nothing (the field is required)',
        'more.yaml:8:1: spec: expected a mapping, found nothing (the field is required)',
        'more.yaml:8:7: kind: expected one of the kinds Service, Policy, Silence, MaintenanceWindow, Settings, Notifier, Runbook, found "Nope"',
        'invalid: 5 errors in 1 file',
        '',
      ].join('\n'),
    );
  });
});

test('--json: the same result for programs', async () => {
  await withFiles({ 'a.yaml': service('api', '  checks: 5') }, async (dir) => {
    const run = await mend(['validate', '-c', 'a.yaml', '--json'], dir);
    assert.equal(run.code, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      valid: false,
      summary: 'invalid: 1 error in 1 file',
      errors: [
        {
          file: 'a.yaml',
          line: 6,
          col: 11,
          path: 'spec.checks',
          message: 'expected a list, found 5',
        },
      ],
      moreErrors: 0,
    });
  });
});

test('usage errors exit 2: no --config, and an unknown flag with a suggestion', async () => {
  await withFiles(valid, async (dir) => {
    const missing = await mend(['validate'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /required option '-c, --config <paths\.\.\.>' not specified/);
    const typo = await mend(['validate', '-c', 'conf', '--jsn'], dir);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown option '--jsn'\n\(Did you mean --json\?\)/);
  });
});

test('mend schema prints the committed JSON Schema', async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const run = await mend(['schema'], root);
  assert.equal(run.code, 0);
  assert.equal(run.stdout, await readFile(join(root, 'schema/mend.schema.json'), 'utf8'));
});

test('past 100 errors: the first 100, then how many more, and the total in the summary', async () => {
  const checks = Array.from({ length: 150 }, (_, i) => `    - {name: c${i}, tcp: {port: -1}}`);
  const files = { 'a.yaml': service('api', `  checks:\n${checks.join('\n')}`) };
  await withFiles(files, async (dir) => {
    const run = await mend(['validate', '-c', 'a.yaml'], dir);
    assert.equal(run.code, 1);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 102);
    assert.match(lines[0]!, /^a\.yaml:7:30: spec\.checks\[0\]\.tcp\.port: /);
    assert.match(lines[99]!, /^a\.yaml:106:\d+: spec\.checks\[99\]\.tcp\.port: /);
    assert.deepEqual(lines.slice(100), [
      '… and 50 more errors (only the first 100 are shown: fix these and validate again)',
      'invalid: 150 errors in 1 file (the first 100 shown)',
    ]);
    const json = JSON.parse((await mend(['validate', '-c', 'a.yaml', '--json'], dir)).stdout);
    assert.equal(json.errors.length, 100);
    assert.equal(json.moreErrors, 50);
    assert.equal(json.summary, 'invalid: 150 errors in 1 file (the first 100 shown)');
  });
});

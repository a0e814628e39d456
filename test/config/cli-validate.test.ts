import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RAW_CONTROL } from '../helpers/terminal.ts';
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
      notes: [],
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

test('policy test files in a folder are skipped with a note; named, they are refused', async () => {
  const files = {
    'conf/a.yaml': service('api'),
    'conf/a.test.yaml': 'config: [a.yaml]\ncases: []\n',
    'tests/only.test.yml': 'config: []\ncases: []\n',
  };
  await withFiles(files, async (dir) => {
    assert.deepEqual(await mend(['validate', '-c', 'conf'], dir), {
      code: 0,
      stdout: 'valid: 1 service, 0 checks in 1 file\n',
      stderr:
        'note: conf/a.test.yaml: skipped, a policy test file (*.test.yaml): run it with `mend test conf/a.test.yaml`\n',
    });
    const named = await mend(['validate', '-c', 'conf/a.test.yaml'], dir);
    assert.equal(named.code, 1);
    assert.equal(
      named.stderr,
      'conf/a.test.yaml: expected a config file, found a policy test file (*.test.yaml): run it with `mend test conf/a.test.yaml`\ninvalid: 1 error in 1 file\n',
    );
    const only = await mend(['validate', '-c', 'tests'], dir);
    assert.match(
      only.stderr,
      /^tests: expected \*\.yaml or \*\.yml config files in this folder, found only policy test files \(only\.test\.yml\): run them with `mend test`\n/,
    );
  });
});

test('a folder of folders: the error names them, and says folders are not searched', async () => {
  const files = { 'examples/demo/a.yaml': service('api'), 'examples/runbooks/': '' };
  await withFiles(files, async (dir) => {
    const run = await mend(['validate', '-c', 'examples/'], dir);
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      'examples/: expected *.yaml or *.yml files in this folder, found only the folders demo/, runbooks/ (folders are not searched: name the ones to load, e.g. -c examples/demo/)\ninvalid: 1 error in 1 file\n',
    );
  });
});

test('the shipped examples/policies folder validates, its test file skipped', async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const run = await mend(['validate', '-c', 'examples/policies'], root);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^note: examples\/policies\/policies\.test\.yaml: skipped/);
});

for (const folder of ['examples/alertmanager', 'examples/events']) {
  test(`the shipped ${folder} folder validates`, async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const run = await mend(['validate', '-c', folder], root);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout + run.stderr, /valid: 1 service, 1 check in 1 file/);
  });
}

test('an error that quotes a config value shows its controls, C1 ones too', async () => {
  // YAML escapes: an ESC sequence in a field name, a one-character CSI (U+009B) in a value.
  const checks = `  checks:\n    - name: live\n      "\\e]0;PWNED\\a\\e[2J": 1\n      http: { url: "http://x\\u009b31m/" }`;
  await withFiles({ 'a.yaml': service('api', checks) }, async (dir) => {
    for (const args of [['validate'], ['check'], ['runbook', 'run', 'r', '--service', 'api']]) {
      const run = await mend([...args, '-c', 'a.yaml'], dir);
      assert.equal(run.code, 1);
      assert.equal(
        RAW_CONTROL.test(run.stderr),
        false,
        `${args[0]}: ${JSON.stringify(run.stderr)}`,
      );
      assert.match(
        run.stderr,
        /spec\.checks\[0\]\["\\u001b\]0;PWNED\\u0007\\u001b\[2J"\]: expected one of/,
      );
      assert.match(run.stderr, /found "http:\/\/x\\u009b31m\/"/);
    }
  });
});

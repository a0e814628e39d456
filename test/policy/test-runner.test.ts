import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runPolicyTests } from '../../src/policy-test/index.ts';
import { type Files, withFiles } from '../config/files.ts';

/** `mend test` itself: a wrong expectation must fail, and say what was expected and what happened. */

const config = `apiVersion: mend/v1
kind: Service
metadata: { name: api }
spec: {}
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart }
spec:
  for: 30s
  heal: { runbook: restart }
`;

async function report(files: Files) {
  return withFiles(files, async (dir) => {
    const result = await runPolicyTests([join(dir, 't.yaml')]);
    return { ...result, report: result.report.replaceAll(`${dir}/`, '').replaceAll(dir, '') };
  });
}

test('a passing file: one line per case and a summary', async () => {
  const result = await report({
    'c.yaml': config,
    't.yaml': `config: [c.yaml]
cases:
  - name: heals after for
    inputs: [{ at: 0s, fire: api }]
    expect: [{ at: 30s, commands: [heal: { service: api }] }]
`,
  });
  assert.deepEqual(result, {
    passed: 1,
    failed: 0,
    notRun: 0,
    report: `${result.report.split('\n')[0]}\n  ✓ heals after for\n1 case: 1 passed, 0 failed\n`,
  });
});

test('a wrong expectation fails with expected versus actual (negative control)', async () => {
  const result = await report({
    'c.yaml': config,
    't.yaml': `config: [c.yaml]
cases:
  - name: wrong time
    inputs: [{ at: 0s, fire: api }]
    expect:
      - { at: 20s, commands: [heal: { service: api }], incidents: [{ id: inc-1, phase: healing }] }
      - { at: 40s, incidents: [{ id: inc-1, phase: healing }] }
`,
  });
  assert.equal(result.failed, 1);
  assert.equal(result.passed, 0);
  const lines = result.report.split('\n').slice(1);
  assert.deepEqual(lines, [
    '  ✗ wrong time',
    '      at 20s, commands:',
    '        expected:',
    '          heal service=api',
    '        actual:',
    '          (none)',
    '      at 20s, incident inc-1:',
    '        expected:',
    '          {"id":"inc-1","phase":"healing"}',
    '        actual:',
    '          phase: expected "healing", found "pending"',
    '          inc-1 api open phase=pending policy=restart attempts=0',
    '          last decision: pending: firing for 0s of 30s; acting at 2026-01-01T00:00:30Z if still firing',
    '      at 30s, commands nobody expected (list them under an expectation at this time, or set exhaustive: false):',
    '        expected:',
    '          (none)',
    '        actual:',
    '          heal inc-1:heal:1 service=api runbook=restart params={} policy=restart rung=0',
    '1 case: 0 passed, 1 failed',
    '',
  ]);
});

test('exhaustive: false allows commands nobody listed', async () => {
  const result = await report({
    'c.yaml': config,
    't.yaml': `config: [c.yaml]
cases:
  - name: only the state
    exhaustive: false
    inputs: [{ at: 0s, fire: api }]
    expect: [{ at: 31s, incidents: [{ service: api, phase: healing, attempts: 1 }] }]
`,
  });
  assert.equal(result.failed, 0, result.report);
});

test('a bad test file is reported at FILE:LINE:COL, and counts as a failure', async () => {
  const result = await report({
    'c.yaml': config,
    't.yaml': `config: [c.yaml]
cases:
  - name: bad
    inputs:
      - { at: soon, fire: api }
      - { at: 1s, fire: api, resolve: api }
    expect: [{ at: 1s, comands: [] }]
`,
  });
  assert.equal(result.failed, 1);
  assert.deepEqual(result.report.split('\n').slice(1, 4), [
    '  ! t.yaml:5:15: cases[0].inputs[0].at: expected a duration such as 30s, 10m, 1h or 1h30m (units d, h, m, s, ms), found "soon"',
    '  ! t.yaml:6:39: cases[0].inputs[1].resolve: expected exactly one of fire, resolve, outcome, approve, deny, breakerReset, silence, expireSilence, tick, found fire and resolve',
    '  ! t.yaml:7:24: cases[0].expect[0].comands: expected a known field, found unknown field "comands" (did you mean "commands"?)',
  ]);
});

test('a config that does not load is reported with its errors', async () => {
  const result = await report({
    'c.yaml': config.replace('for: 30s', 'for: 30 seconds'),
    't.yaml': 'config: [c.yaml]\ncases:\n  - { name: x, inputs: [] }\n',
  });
  assert.equal(result.failed, 1);
  assert.match(
    result.report,
    /! the config does not load:\n {2}! c\.yaml:10:8: spec\.for: expected a duration/,
  );
});

test('inputs out of time order are refused', async () => {
  const result = await report({
    'c.yaml': config,
    't.yaml': `config: [c.yaml]
cases:
  - name: backwards
    inputs: [{ at: 10s, fire: api }, { at: 5s, resolve: api }]
`,
  });
  assert.equal(result.failed, 1);
  assert.match(result.report, /at 5s, inputs in time order:/);
});

test('a config that does not load: every case says it was not run, and the count says so', async () => {
  const result = await report({
    'c.yaml': config.replace('for: 30s', 'for: 30 seconds'),
    'ok.yaml': config,
    't.yaml': `config: [c.yaml]
cases:
  - { name: first, inputs: [] }
  - { name: second, inputs: [] }
  - { name: own config, config: [ok.yaml], inputs: [{ at: 0s, fire: api }], expect: [{ at: 30s, commands: [heal: {}] }] }
  - { name: own broken config, config: [c.yaml], inputs: [] }
`,
  });
  const lines = result.report.split('\n').slice(1);
  assert.deepEqual(
    { passed: result.passed, failed: result.failed, notRun: result.notRun },
    { passed: 1, failed: 3, notRun: 3 },
  );
  assert.deepEqual(lines.slice(0, 2), [
    '  ! the config does not load:',
    lines[1]!.startsWith('  ! c.yaml:10:8: spec.for: expected a duration') ? lines[1] : 'wrong',
  ]);
  assert.deepEqual(lines.slice(2, 7), [
    '  ✗ first: not run: the file’s config does not load (above)',
    '  ✗ second: not run: the file’s config does not load (above)',
    '  ✓ own config',
    '  ✗ own broken config: not run: its config does not load:',
    lines[6]!.startsWith('      ! c.yaml:10:8: spec.for:') ? lines[6] : 'wrong',
  ]);
  assert.equal(lines.at(-2), '4 cases: 1 passed, 3 failed (3 not run: their config does not load)');
});

test('a test file that cannot be read counts as no case, and says so', async () => {
  const result = await report({ 't.yaml': 'config: [c.yaml]\ncases: 3\n' });
  assert.equal(result.failed, 1);
  assert.equal(
    result.report.split('\n').at(-2),
    '0 cases: 0 passed, 0 failed; 1 file could not be read',
  );
});

test('an outcome for a heal the case never issued is a mistake in the test (a typo in the id)', async () => {
  const file = (outcome: string) => ({
    'c.yaml': config,
    't.yaml': `config: [c.yaml]
cases:
  - name: typo
    inputs: [{ at: 0s, fire: api }, { at: 40s, outcome: ${outcome} }]
    expect: [{ at: 30s, commands: [heal: { id: "inc-1:heal:1" }] }]
`,
  });
  const typo = await report(file('{ command: "inc-1:heal:2", result: failed }'));
  assert.equal(typo.failed, 1);
  assert.deepEqual(typo.report.split('\n').slice(2, 7), [
    '      at 40s, the outcome input (a mistake in the test?):',
    '        expected:',
    '          the id of a heal the case issued by then: inc-1:heal:1',
    '        actual:',
    '          "inc-1:heal:2", which was never issued (did you mean "inc-1:heal:1"?); to send it on purpose, set unissued: true',
  ]);
  const early = await report(file('{ command: "inc-1:heal:1", result: failed }'));
  assert.equal(early.failed, 0, early.report);
  const onPurpose = await report(
    file('{ command: "inc-9:heal:1", result: failed, unissued: true }'),
  );
  assert.equal(onPurpose.failed, 0, onPurpose.report);
});

test('an answer to an approval the case never requested is a mistake in the test', async () => {
  const result = await report({
    'c.yaml': config,
    't.yaml': `config: [c.yaml]
cases:
  - name: nothing requested
    inputs: [{ at: 0s, fire: api }, { at: 5s, approve: { id: "inc-1:approval:1" } }]
  - name: on purpose
    exhaustive: false
    inputs: [{ at: 0s, fire: api }, { at: 5s, deny: { id: "inc-1:approval:1", unrequested: true } }]
`,
  });
  assert.equal(result.failed, 1, result.report);
  assert.match(
    result.report,
    /at 5s, the approve input \(a mistake in the test\?\):\n {8}expected:\n {10}the id of an approval request the case issued by then: none yet/,
  );
});

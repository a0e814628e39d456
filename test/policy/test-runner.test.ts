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
    '  ! t.yaml:6:39: cases[0].inputs[1].resolve: expected exactly one of fire, resolve, outcome, approve, deny, breakerReset, tick, found fire and resolve',
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

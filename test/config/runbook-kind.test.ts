import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMendConfig } from '../../src/documents.ts';
import { errorLines, service, withFiles } from './files.ts';

const runbook = (name: string, spec: string) =>
  `apiVersion: mend/v1\nkind: Runbook\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;

const policy = (name: string, heal: string) =>
  `apiVersion: mend/v1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n  heal: ${heal}\n`;

test('a Runbook loads: kinds resolved, defaults applied, durations in ms', async () => {
  const files = {
    'r.yaml': runbook(
      'restart',
      [
        '  params:',
        '    unit: {pattern: "[a-z]+"}',
        '    n: {type: integer, default: 2}',
        '  evidence:',
        '    - logTail: {path: /var/log/x.log}',
        '  steps:',
        '    - name: restart',
        '      exec: {command: [systemctl, restart, "{{params.unit}}"]}',
        '      timeout: 30s',
        '      retries: 2',
        '    - wait: {duration: 2s}',
        '    - verify: {}',
      ].join('\n'),
    ),
  };
  await withFiles(files, async (dir) => {
    const { config, errors } = await loadMendConfig([join(dir, 'r.yaml')]);
    assert.deepEqual(errors, []);
    const [r] = config!.runbooks;
    assert.equal(r!.name, 'restart');
    assert.equal(r!.maxOutputBytes, 65536);
    assert.deepEqual(r!.params, {
      unit: { type: 'string', pattern: '[a-z]+', allowLeadingDash: false },
      n: { type: 'integer', default: 2, allowLeadingDash: false },
    });
    assert.deepEqual(
      [...r!.evidence, ...r!.steps].map((s) => [
        s.name,
        s.kind,
        s.timeoutMs,
        s.retries,
        s.retryBackoffMs,
        s.idempotent,
      ]),
      [
        ['logTail', 'logTail', 10_000, 0, 1000, true],
        ['restart', 'exec', 30_000, 2, 1000, false],
        ['wait', 'wait', 3000, 0, 1000, true],
        ['verify', 'verify', 60_000, 0, 1000, true],
      ],
    );
    assert.deepEqual(r!.steps[0]!.spec, {
      command: ['systemctl', 'restart', '{{params.unit}}'],
      env: {},
      inheritEnv: ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'],
      successExitCodes: [0],
    });
    assert.match(r!.revision, /^[0-9a-f]{8}$/);
  });
});

test('Runbook errors, each at its position', async () => {
  const lines = await errorLines({
    'r.yaml': runbook(
      'bad',
      [
        '  params:',
        '    unit: {pattern: "[a-z]+", default: "Web-1"}',
        '    re: {pattern: "("}',
        '  evidence:',
        '    - wait: {duration: 1s}',
        '  steps:',
        '    - exec: {command: [echo, "{{params.nope}}", "{{env.HOME}}"]}',
        '      http: {url: "http://x/"}',
      ].join('\n'),
    ),
  });
  assert.deepEqual(lines, [
    'r.yaml:7:40: spec.params.unit.default: expected a value matching [a-z]+, found "Web-1"',
    'r.yaml:8:19: spec.params.re.pattern: expected a regular expression in RE2 syntax, found "(" (missing closing ): `(`)',
    'r.yaml:10:7: spec.evidence[0]: expected exactly one step kind (exec, http, observations, logTail, podLogs, kubernetesEvents, kubernetesDescribe), found none',
    'r.yaml:10:7: spec.evidence[0].wait: expected one of the fields name, timeout, retries, retryBackoff, idempotent, exec, http, observations, logTail, podLogs, kubernetesEvents, kubernetesDescribe, found unknown field "wait"',
    'r.yaml:11:3: spec.steps: expected a verify step among the steps (a heal is succeeded only when the check that fired passes again), found none',
    'r.yaml:12:30: spec.steps[0].exec.command[1]: expected a declared param (unit, re), found {{params.nope}}',
    'r.yaml:12:49: spec.steps[0].exec.command[2]: expected references such as {{params.NAME}} or {{service.labels.NAME}} (params.NAME, service.name, service.kubernetes.namespace, service.kubernetes.name, service.kubernetes.kind, service.kubernetes.context, service.labels.NAME, signal.labels.NAME, signal.check, signal.fingerprint, incident.id, run.id), found {{env.HOME}}',
    'r.yaml:13:13: spec.steps[0].http: expected exactly one step kind (exec, http, wait, verify, notify, ansible, githubWorkflow, gitlabPipeline, jenkinsBuild, rolloutRestart, rolloutStatus, rolloutUndo, scale, deletePod, cordon, uncordon, drain), found exec and http',
  ]);
});

test('a Runbook of the wrong shapes: errors, not a crash', async () => {
  const lines = await errorLines({
    'a.yaml': runbook('a', '  params: abc\n  steps: x'),
    'b.yaml': runbook('b', '  params: {p: 5}\n  steps: [null, 5, {verify: 3}]\n  onFailure: {}'),
  });
  assert.deepEqual(lines, [
    'a.yaml:6:11: spec.params: expected a mapping, found "abc"',
    'a.yaml:7:10: spec.steps: expected a list, found "x"',
    'b.yaml:6:15: spec.params.p: expected a mapping, found 5',
    'b.yaml:7:11: spec.steps[0]: expected a mapping, found null',
    'b.yaml:7:17: spec.steps[1]: expected a mapping, found 5',
    'b.yaml:7:29: spec.steps[2].verify: expected a mapping, found 3',
    'b.yaml:8:14: spec.onFailure: expected a list, found {}',
  ]);
});

test('policies against runbooks: the runbook exists, params declared, required given, literals valid', async () => {
  const lines = await errorLines({
    'a.yaml': [
      service('api'),
      runbook(
        'restart',
        '  params:\n    unit: {pattern: "[a-z]+"}\n    n: {type: integer, default: 1}\n  steps:\n    - verify: {}',
      ),
      policy('typo', '{runbook: restrat, params: {unit: api}}'),
      policy(
        'params',
        '{runbook: restart, params: {unit: "Bad!", n: "{{signal.labels.n}}", extra: 1}}',
      ),
      policy('missing', '{runbook: restart}'),
      policy('templated', '{runbook: restart, params: {unit: "{{service.name}}"}}'),
    ].join('---\n'),
  });
  assert.deepEqual(lines, [
    'a.yaml:24:19: spec.heal.runbook: expected the name of a Runbook, found "restrat" (did you mean "restart"?)',
    'a.yaml:31:43: spec.heal.params.unit: expected a value matching [a-z]+, found "Bad!"',
    'a.yaml:31:84: spec.heal.params.extra: expected a param runbook restart declares (unit, n), found "extra"',
    'a.yaml:38:9: spec.heal.params: expected params.unit (runbook restart requires it), found none',
  ]);
});

test('a templated param is checked for every service the policy matches, where the load can render it', async () => {
  const labelled = (name: string, labels: string) =>
    service(name).replace(`name: ${name}\n`, `name: ${name}\n  labels: {${labels}}\n`);
  const withMatch = (name: string, match: string, heal: string) =>
    policy(name, heal).replace('spec:\n', `spec:\n  match: ${match}\n`);
  const lines = await errorLines({
    'a.yaml': [
      labelled('web', 'unit: web'),
      labelled('api', 'unit: api'),
      service('db'),
      runbook('restart', '  params:\n    service: {pattern: web}\n  steps:\n    - verify: {}'),
      // Renders "api" and "db" for two of the three services it matches: refused at every heal.
      policy('every', '{runbook: restart, params: {service: "{{service.name}}"}}'),
      // Only web: passes.
      withMatch(
        'web-only',
        '{services: {names: [web]}}',
        '{runbook: restart, params: {service: "{{service.name}}"}}',
      ),
      // db has no label unit: it never renders there.
      withMatch(
        'labelled',
        '{services: {matchers: [\'unit=~"web|"\']}}',
        '{runbook: restart, params: {service: "{{service.labels.unit}}"}}',
      ),
      // Depends on the signal: known only when one fires.
      policy('by-signal', '{runbook: restart, params: {service: "{{signal.labels.svc}}"}}'),
    ].join('---\n'),
  });
  assert.deepEqual(lines, [
    'a.yaml:39:46: spec.heal.params.service: expected a value matching web, found "api" ({{service.name}} for service api; also for db): the policy matches these services and the runbook would refuse every heal; narrow match.services, or change the template',
    'a.yaml:55:46: spec.heal.params.service: expected service label unit ({{service.labels.unit}}), found none on service db: the policy matches it and would never heal it (it would page); add the label, narrow match.services, or change the template',
  ]);
});

test('duplicate Runbook names', async () => {
  const lines = await errorLines({
    'a.yaml': `${runbook('r', '  steps:\n    - verify: {}')}---\n${runbook('r', '  steps:\n    - verify: {}')}`,
  });
  assert.deepEqual(lines, [
    'a.yaml:12:9: metadata.name: expected a unique Runbook name, found "r" again (first at a.yaml:4:9)',
  ]);
});

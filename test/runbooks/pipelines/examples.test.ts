import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { planRun } from '../../../src/runbooks/dry-run.ts';
import { configFrom, serviceYaml, withTempDir } from '../helpers.ts';

const EXAMPLES: [string, string][] = [
  ['github-actions-redeploy.yaml', 'githubWorkflow'],
  ['gitlab-redeploy.yaml', 'gitlabPipeline'],
  ['jenkins-redeploy.yaml', 'jenkinsBuild'],
];

for (const [file, kind] of EXAMPLES) {
  test(`examples/runbooks/${file} loads, and its dry run renders every step (nothing started)`, () =>
    withTempDir(async (dir) => {
      const text = await readFile(
        new URL(`../../../examples/runbooks/${file}`, import.meta.url),
        'utf8',
      );
      // The GitLab example reads its trigger token from a file: put one where the copy says.
      const trigger = join(dir, 'gitlab-trigger');
      await writeFile(trigger, 'glptt-example\n');
      const copy = text.replaceAll('/run/secrets/gitlab-trigger', trigger);
      const config = await configFrom(dir, serviceYaml('shop') + copy);
      const runbook = config.runbooks[0]!;
      assert.equal(runbook.steps[0]?.kind, kind);
      // Every setting of the pipeline step says what it is for, on its line or the one above.
      const lines = text.split('\n');
      const start = lines.findIndex((l) => l.trim() === `${kind}:`);
      for (let i = start + 1; i < lines.length && /^ {8}/.test(lines[i]!); i++) {
        const line = lines[i]!;
        if (line.trim().startsWith('#')) continue;
        const explained =
          line.includes(' # ') || lines[i - 1]!.trim().startsWith('#') || /^ {10}/.test(line);
        assert.ok(explained, `${file}:${i + 1} is not explained: ${line.trim()}`);
      }
      const env = { GITHUB_TOKEN: 't', GITLAB_TOKEN: 't', JENKINS_TOKEN: 't' };
      const plan = await planRun(runbook, { service: 'shop', params: {}, runId: 'dry' }, env);
      assert.ok('steps' in plan, JSON.stringify(plan));
      assert.deepEqual(
        plan.steps.filter((s) => s.refused !== undefined),
        [],
      );
    }));
}

test('load: the command id is mend’s to set, an API URL takes no templates, a token is a secret', () =>
  withTempDir(async (dir) => {
    const runbook = (step: string) =>
      `${serviceYaml('shop')}apiVersion: mend/v1\nkind: Runbook\nmetadata: {name: r}\nspec:\n  steps:\n    - ${step}\n    - verify: {}\n`;
    const refusals: [string, RegExp][] = [
      [
        'githubWorkflow: {repository: a/b, workflow: w.yml, ref: main, inputs: {mend_command_id: x}, token: {valueFrom: {env: T}}}',
        /inputs\.mend_command_id: expected another name: mend sets this input to the command id \(commandIdInput\)/,
      ],
      [
        'gitlabPipeline: {api: "https://{{params.host}}/api/v4", project: "1", ref: main, token: {valueFrom: {env: T}}}',
        /api: expected an http or https URL without templates/,
      ],
      [
        'jenkinsBuild: {url: "https://ci/", job: deploy, user: u, token: hunter2}',
        /token: expected \{valueFrom: \{env: NAME\}\} or \{valueFrom: \{file: PATH\}\}/,
      ],
    ];
    for (const [step, expected] of refusals) {
      await assert.rejects(configFrom(dir, runbook(step)), (err: Error) => {
        assert.match(err.message, expected);
        assert.match(err.message, /config-\w+\.yaml:\d+:\d+/);
        return true;
      });
    }
  }));

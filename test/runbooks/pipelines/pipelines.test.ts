import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { planRun } from '../../../src/runbooks/dry-run.ts';
import { createRunbookExecutor } from '../../../src/runbooks/executor.ts';
import type { ExternalRunRecord, StepRecord } from '../../../src/runbooks/journal.ts';
import { previewRun } from '../../../src/runbooks/preview.ts';
import { runMend } from '../../helpers/mend-process.ts';
import {
  configFrom,
  driveHeal,
  runbookYaml,
  serviceYaml,
  silentLog,
  tempStore,
  withTempDir,
} from '../helpers.ts';
import type { Script } from './receiver.ts';
import { pipelineStep, type System, startSystem, TOKENS_ENV } from './systems.ts';

const SYSTEMS: System[] = ['github', 'gitlab', 'jenkins'];
const URLS: Record<System, RegExp> = {
  github:
    /GitHub Actions run 9001 of redeploy\.yml on acme\/shop \(main\): http:\/\/127\.0\.0\.1:\d+\/acme\/shop\/actions\/runs\/9001/,
  gitlab:
    /GitLab pipeline 701 of group\/shop \(main\): http:\/\/127\.0\.0\.1:\d+\/group\/shop\/-\/pipelines\/701/,
  jenkins:
    /Jenkins build team\/deploy #41: http:\/\/127\.0\.0\.1:\d+\/jenkins\/job\/team\/job\/deploy\/41\//,
};

/**
 * One heal through `system`'s receiver, run by the executor on a real store: the service's check
 * reads a file that the pipeline, once it succeeds, repairs. Returns the outcome, the journal and
 * the receiver's tally.
 */
async function heal(system: System, script: Omit<Script, 'repairs'>, timeout = '30s') {
  return withTempDir(async (dir) => {
    const file = join(dir, 'app.conf');
    await writeFile(file, 'broken\n');
    const receiver = await startSystem(system, { ...script, repairs: file });
    try {
      const config = await configFrom(
        dir,
        serviceYaml('api', ['grep', '-qx', 'ok', file]) +
          runbookYaml(
            'redeploy',
            `  steps:\n${pipelineStep(system, receiver)}\n      timeout: ${timeout}\n    - verify: {interval: 50ms}\n      timeout: 10s`,
          ),
      );
      const store = await tempStore(dir);
      try {
        const executor = createRunbookExecutor({
          config: () => config,
          store,
          log: silentLog,
          env: TOKENS_ENV,
        });
        const outcome = await executor.run({
          runId: 'inc-1:heal:1',
          runbook: 'redeploy',
          service: 'api',
          params: {},
          actor: 'test',
        });
        const rows = await store.listJournal('inc-1:heal:1');
        return { outcome, rows, receiver };
      } finally {
        await store.close();
      }
    } finally {
      await receiver.close();
    }
  });
}

function stepRows(rows: Awaited<ReturnType<typeof heal>>['rows']) {
  const result = rows.find((r) => r.phase === 'result' && r.stepIndex === 0)?.payload as StepRecord;
  const external = rows
    .filter((r) => (r.payload as { type: string }).type === 'external')
    .map((r) => r.payload as ExternalRunRecord);
  return { result, external };
}

/** No token in anything recorded: the journal is redacted as it is written. */
function assertNoToken(rows: unknown) {
  const text = JSON.stringify(rows);
  for (const token of Object.values(TOKENS_ENV))
    assert.ok(!text.includes(token), `a token in the journal: ${token}`);
}

for (const system of SYSTEMS) {
  test(`${system}: a run that succeeds heals; the run is journaled before the wait, its URL and status in the output`, async () => {
    const { outcome, rows, receiver } = await heal(system, { ends: 'success' });
    assert.deepEqual(receiver.problems, []);
    assert.equal(outcome?.result, 'succeeded', outcome?.detail);
    assert.equal(receiver.starts, 1);
    const { result, external } = stepRows(rows);
    assert.equal(result.status, 'ok');
    assert.match(result.output ?? '', URLS[system]);
    assert.match(
      result.output ?? '',
      /(conclusion success|status success|result SUCCESS) after \d+ request/,
    );
    // Every record of the run precedes the step's result: a crash while waiting finds it.
    const resultAt = rows.findIndex((r) => r.phase === 'result' && r.stepIndex === 0);
    const lastExternal = rows.findLastIndex(
      (r) => (r.payload as { type: string }).type === 'external',
    );
    assert.ok(lastExternal >= 0 && lastExternal < resultAt);
    const stages = {
      github: ['dispatched', 'run'],
      gitlab: ['pipeline'],
      jenkins: ['queued', 'build'],
    };
    assert.deepEqual(
      external.map((e) => e.run.stage),
      stages[system],
    );
    for (const e of external) assert.equal(e.run.commandId, 'inc-1:heal:1:steps:0:1');
    assertNoToken(rows);
  });

  test(`${system}: a run that fails fails the step, naming the run and its status`, async () => {
    const { outcome, rows, receiver } = await heal(system, { ends: 'failure', polls: 1 });
    assert.deepEqual(receiver.problems, []);
    assert.equal(outcome?.result, 'failed');
    assert.equal(receiver.starts, 1, 'a failed run is not started again (retries: 0)');
    const { result } = stepRows(rows);
    assert.equal(result.status, 'failed');
    assert.match(
      result.error ?? '',
      /(concluded failure|ended failed|ended FAILURE): http:\/\/127\.0\.0\.1/,
    );
    assert.match(result.output ?? '', URLS[system]);
  });

  test(`${system}: a run that never finishes fails at the step's deadline, with the last status seen`, async () => {
    const { outcome, rows, receiver } = await heal(system, { ends: 'never' }, '1500ms');
    assert.deepEqual(receiver.problems, []);
    assert.equal(outcome?.result, 'failed');
    assert.equal(receiver.starts, 1);
    const { result } = stepRows(rows);
    assert.match(
      result.error ?? '',
      /timed out after 1500 ms; (status was "in_progress"|status was "running"|building) after \d+ requests/,
    );
    assert.ok(receiver.statusRequests >= 2, `asked ${receiver.statusRequests} time(s)`);
    assert.match(result.output ?? '', URLS[system]);
  });

  test(`${system}: a rate-limited answer is waited out for its Retry-After, then asked again`, async () => {
    const { outcome, rows, receiver } = await heal(system, { ends: 'success', rateLimited: true });
    assert.deepEqual(receiver.problems, []);
    assert.equal(outcome?.result, 'succeeded', outcome?.detail);
    assert.equal(receiver.starts, 1);
    const statusPath = {
      github: /\/actions\/runs\/\d+$/,
      gitlab: /\/pipelines\/\d+$/,
      jenkins: /\/deploy\/\d+\/api\/json$/,
    };
    const asked = receiver.seen.filter((s) => statusPath[system].test(s.url));
    assert.equal(receiver.limitedAt.length, 1);
    assert.ok(asked.length >= 2);
    // The interval is 50 ms; Retry-After said 1 s: the next question came no sooner.
    const gapMs = asked[1]!.at - receiver.limitedAt[0]!;
    assert.ok(gapMs >= 950, `asked again after ${gapMs} ms`);
    const { result } = stepRows(rows);
    assert.match(
      result.output ?? '',
      /rate limited 1 time\(s\): (403|429) rate limited, waited 1\d{3} ms/,
    );
  });
}

/** Kill points between the records of a start: each stage a resumed step must carry on from. */
const STAGES: [System, string][] = [
  ['github', 'dispatched'], // dispatched, its run not found yet: found by the command id
  ['github', 'run'],
  ['gitlab', 'pipeline'],
  ['jenkins', 'queued'], // a queue item, no build yet
  ['jenkins', 'build'],
];

for (const [system, stage] of STAGES) {
  test(`${system}: SIGKILL right after the ${stage} record; the restarted run carries on from it, one start`, () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'app.conf');
      await writeFile(file, 'broken\n');
      const receiver = await startSystem(system, { ends: 'success', polls: 1, repairs: file });
      try {
        await writeFile(
          join(dir, 'mend.yaml'),
          serviceYaml('api', ['grep', '-qx', 'ok', file]) +
            runbookYaml(
              'heal',
              `  steps:\n${pipelineStep(system, receiver)}\n    - verify: {interval: 50ms}`,
            ),
        );
        const killAt = `external:steps:0:${stage}`;
        const killed = await driveHeal(dir, { ...TOKENS_ENV, KILL_AT: killAt });
        assert.equal(killed.signal, 'SIGKILL', killed.stdout);
        assert.ok(killed.stdout.trim().endsWith(`journaled ${killAt}`), killed.stdout);
        const restarted = await driveHeal(dir, TOKENS_ENV);
        assert.equal(restarted.outcome?.result, 'succeeded', JSON.stringify(restarted.outcome));
        assert.equal(receiver.starts, 1);
        assert.deepEqual(receiver.problems, []);
        // The restart journaled no second intent for the step: the same attempt was carried on.
        assert.ok(!restarted.stdout.includes('journaled intent:steps:0'), restarted.stdout);
      } finally {
        await receiver.close();
      }
    }));
}

test('dry run and shadow: a pipeline step starts nothing; the plan and the preview say what would start', () =>
  withTempDir(async (dir) => {
    const receivers = await Promise.all(
      SYSTEMS.map((system) => startSystem(system, { ends: 'success' })),
    );
    try {
      const steps = SYSTEMS.map((system, i) =>
        pipelineStep(system, receivers[i]!).replace('name: redeploy', `name: ${system}`),
      ).join('\n');
      const config = await configFrom(
        dir,
        serviceYaml('api') + runbookYaml('redeploy', `  steps:\n${steps}\n    - verify: {}`),
      );
      const store = await tempStore(dir);
      try {
        const heal = {
          kind: 'heal' as const,
          id: 'inc-3:heal:1',
          idempotencyKey: 'inc-3:heal:1',
          incidentId: 'inc-3',
          service: 'api',
          runbook: 'redeploy',
          params: {},
          policy: 'p',
          rung: 0,
          attempt: 1,
        };
        const previewed = await previewRun(
          {
            kind: 'preview',
            id: 'inc-3:preview:1',
            idempotencyKey: 'inc-3:preview:1',
            incidentId: 'inc-3',
            mode: 'shadow',
            heal,
          },
          {
            runbooks: config.runbooks,
            store,
            now: Date.now,
            stop: new AbortController().signal,
            env: TOKENS_ENV,
            serviceConfig: config.services[0],
            lead: undefined,
          },
        );
        assert.match(
          previewed.detail,
          /^shadow: nothing changed; check mode: steps\[0\] github would start GitHub Actions workflow redeploy\.yml on acme\/shop at main with inputs \{"service":"api"\}, then follow its run \(not started\); steps\[1\] gitlab would start a GitLab pipeline of group\/shop at main with variables \{"SERVICE":"api"\}, then follow it \(not started\); steps\[2\] jenkins would start Jenkins job team\/deploy with parameters \{"SERVICE":"api"\}, then follow its build \(not started\)$/,
        );
        const plan = await planRun(
          config.runbooks[0]!,
          { service: 'api', params: {}, runId: 'dry' },
          TOKENS_ENV,
        );
        assert.ok('steps' in plan);
        const [github] = plan.steps;
        assert.equal(github?.command?.method, 'POST');
        assert.match(
          String(github?.command?.url),
          /\/repos\/acme\/shop\/actions\/workflows\/redeploy\.yml\/dispatches$/,
        );
        assert.equal(JSON.stringify(plan).includes(TOKENS_ENV.GITHUB_TOKEN), false);
      } finally {
        await store.close();
      }
      for (const receiver of receivers)
        assert.deepEqual(receiver.seen, [], 'a request reached a pipeline');
    } finally {
      await Promise.all(receivers.map((r) => r.close()));
    }
  }));

test('mend runbook run: the live view names the start, each recorded stage, the link and the conclusion; --dry-run sends nothing', () =>
  withTempDir(async (dir) => {
    const file = join(dir, 'app.conf');
    await writeFile(file, 'broken\n');
    const receiver = await startSystem('github', { ends: 'success', polls: 1, repairs: file });
    try {
      const config = join(dir, 'mend.yaml');
      await writeFile(
        config,
        serviceYaml('api', ['grep', '-qx', 'ok', file]) +
          runbookYaml(
            'redeploy',
            `  steps:\n${pipelineStep('github', receiver)}\n    - verify: {interval: 50ms}`,
          ),
      );
      const args = [
        'runbook',
        'run',
        'redeploy',
        '--service',
        'api',
        '-c',
        config,
        '--db',
        join(dir, 'mend.db'),
      ];
      const dry = await runMend([...args, '--dry-run'], { env: TOKENS_ENV });
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assert.match(
        dry.stdout,
        /start GitHub Actions workflow redeploy\.yml on acme\/shop at main with inputs \{"service":"api"\}, then follow its run/,
      );
      assert.deepEqual(receiver.seen, [], 'the dry run sent a request');
      const run = await runMend(args, { env: TOKENS_ENV });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(
        run.stdout,
        /> steps\[0\] redeploy \(githubWorkflow\): start GitHub Actions workflow redeploy\.yml/,
      );
      assert.match(
        run.stdout,
        /\n {2}github dispatched \(command id cli:api:redeploy:[^)]+:steps:0:1\)\n/,
      );
      assert.match(
        run.stdout,
        /\n {2}github run 9001 \(command id [^)]+\): http:\/\/127\.0\.0\.1:\d+\/acme\/shop\/actions\/runs\/9001\n/,
      );
      assert.match(run.stdout, /ok in [\d.]+m?s, conclusion success\n/);
      assert.equal(receiver.starts, 1);
      assert.deepEqual(receiver.problems, []);
      for (const token of Object.values(TOKENS_ENV)) assert.ok(!run.stdout.includes(token));
    } finally {
      await receiver.close();
    }
  }));

test('github: a start refused by the rate limit is sent again after its Retry-After; one run starts', async () => {
  const { outcome, rows, receiver } = await heal('github', {
    ends: 'success',
    rateLimitedStart: true,
  });
  assert.deepEqual(receiver.problems, []);
  assert.equal(outcome?.result, 'succeeded', outcome?.detail);
  assert.equal(receiver.starts, 1);
  const dispatches = receiver.seen.filter((s) => s.url.endsWith('/dispatches'));
  assert.equal(dispatches.length, 2);
  const gapMs = dispatches[1]!.at - receiver.limitedAt[0]!;
  assert.ok(gapMs >= 950, `sent again after ${gapMs} ms`);
  assert.equal(stepRows(rows).external.length, 2);
});

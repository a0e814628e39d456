import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRunbookExecutor } from '../../src/runbooks/executor.ts';
import type { JournalPayload, StepRecord } from '../../src/runbooks/journal.ts';
import {
  APPEND_STEP,
  configFrom,
  heal,
  NODE,
  reports,
  runbookYaml,
  serviceYaml,
  silentLog,
  tempStore,
  withTempDir,
} from './helpers.ts';
import { startSupervised } from './supervisor-server.ts';

const q = JSON.stringify;

/** A service whose readiness check (two successes to pass) is an HTTP GET of `url`. */
function httpService(name: string, url: string): string {
  return `apiVersion: mend/v1
kind: Service
metadata: {name: ${name}}
spec:
  checks:
    - name: live
      role: readiness
      periodSeconds: 1
      successThreshold: 2
      http: {url: ${q(url)}}
---
`;
}

test('a heal: evidence first, then the steps, verified by the check that fired: succeeded', async () => {
  const svc = await startSupervised({ up: false, restartMs: 300 });
  try {
    await withTempDir(async (dir) => {
      const config = await configFrom(
        dir,
        httpService('api', `${svc.url}/`) +
          runbookYaml(
            'restart',
            `  params: {service: {pattern: "[a-z]+"}}
  evidence:
    - name: before
      http: {url: "${svc.url}/"}
  steps:
    - name: restart
      http: {method: POST, url: "${svc.url}/restart", body: {service: "{{params.service}}"}}
    - verify: {interval: 100ms}
      timeout: 5s`,
          ),
      );
      const store = await tempStore(dir);
      const executor = createRunbookExecutor({ config: () => config, store, log: silentLog });
      const { outcomes, report } = reports();
      await executor.dispatch(heal('restart', 'api', { service: 'api' }), {
        report,
        lead: {
          fingerprint: 'f',
          source: 'probe',
          check: 'live',
          labels: {},
          summary: '',
          startsAt: 0,
        },
      });
      await executor.idle();
      assert.equal(outcomes.length, 1);
      assert.equal(outcomes[0]!.result, 'succeeded');
      assert.equal(outcomes[0]!.commandId, 'inc-1:heal:1');
      assert.equal(outcomes[0]!.detail, 'verified healthy by steps[1] verify');
      const rows = await store.listJournal('inc-1:heal:1');
      assert.deepEqual(
        rows.map((r) => `${r.phase} ${r.idempotencyKey}`),
        [
          'intent inc-1:heal:1:run',
          'intent inc-1:heal:1:evidence:0:1',
          'result inc-1:heal:1:evidence:0:1',
          'intent inc-1:heal:1:steps:0:1',
          'result inc-1:heal:1:steps:0:1',
          'intent inc-1:heal:1:steps:1:1',
          'result inc-1:heal:1:steps:1:1',
          'result inc-1:heal:1:run',
        ],
      );
      const evidence = rows[2]!.payload as StepRecord;
      // The dump of a down service is the evidence; its status is not 2xx, which does not block.
      assert.equal(evidence.status, 'failed');
      assert.match(evidence.output!, /^HTTP 503\ncontent-type: text\/plain\n[\s\S]*\n\ndown$/);
      const verify = rows[6]!.payload as StepRecord;
      const data = verify.data as { rounds: number; passedInARow: number; threshold: number };
      assert.equal(data.threshold, 2, "the check's own successThreshold");
      assert.ok(data.rounds >= 3, `failed while restarting, then 2 passes: ${data.rounds} rounds`);
      assert.deepEqual(svc.requests.find((r) => r.method === 'POST')?.body, '{"service":"api"}');
      await store.close();
    });
  } finally {
    await svc.close();
  }
});

test('a failed step is retried with backoff, then onFailure runs and the heal is failed', () =>
  withTempDir(async (dir) => {
    const log = join(dir, 'steps.log');
    const append = (name: string) => `[${q(NODE)}, ${q(APPEND_STEP)}, ${q(log)}, ${name}]`;
    const config = await configFrom(
      dir,
      serviceYaml('api') +
        runbookYaml(
          'restart',
          `  evidence:
    - exec: {command: ${append('evidence')}}
  steps:
    - name: broken
      exec: {command: [${q(NODE)}, -e, "console.log('no such unit'); process.exit(3)"]}
      retries: 2
      retryBackoff: 50ms
    - exec: {command: ${append('never')}}
    - verify: {}
  onFailure:
    - exec: {command: ${append('rollback')}}
    - exec: {command: [/bin/false]}
    - exec: {command: ${append('rollback-2')}}`,
        ),
    );
    const store = await tempStore(dir);
    const executor = createRunbookExecutor({ config: () => config, store, log: silentLog });
    const started = Date.now();
    const outcome = await executor.run({
      runId: 'r',
      runbook: 'restart',
      service: 'api',
      params: {},
      actor: 't',
    });
    assert.equal(outcome?.result, 'failed');
    assert.equal(
      outcome?.detail,
      'steps[0] broken failed (attempt 3): exit code 3, expected 0; onFailure: onFailure[1] exec failed: exit code 1, expected 0',
    );
    assert.ok(Date.now() - started >= 150, 'backoff 50 ms, then 100 ms');
    assert.equal(
      await readFile(log, 'utf8'),
      'evidence start\nevidence done\nrollback start\nrollback done\nrollback-2 start\nrollback-2 done\n',
    );
    const results = (await store.listJournal('r'))
      .filter((r) => r.phase === 'result' && r.stepIndex >= 0)
      .map((r) => r.payload as StepRecord)
      .map((p) =>
        `${p.section}[${p.index}]#${p.attempt} ${p.status} ${p.output?.trim() ?? ''}`.trim(),
      );
    assert.deepEqual(results, [
      'evidence[0]#1 ok',
      'steps[0]#1 failed no such unit',
      'steps[0]#2 failed no such unit',
      'steps[0]#3 failed no such unit',
      'onFailure[0]#1 ok',
      'onFailure[1]#1 failed',
      'onFailure[2]#1 ok',
    ]);
    await store.close();
  }));

test('evidence that fails is recorded and does not block the heal', () =>
  withTempDir(async (dir) => {
    const config = await configFrom(
      dir,
      serviceYaml('api') +
        runbookYaml(
          'r',
          `  evidence:
    - exec: {command: [/bin/false]}
    - logTail: {path: ${q(join(dir, 'missing.log'))}}
    - observations: {}
    - exec: {command: [/no/such/program]}
  steps:
    - verify: {}`,
        ),
    );
    const store = await tempStore(dir);
    const executor = createRunbookExecutor({ config: () => config, store, log: silentLog });
    const outcome = await executor.run({
      runId: 'r',
      runbook: 'r',
      service: 'api',
      params: {},
      actor: 't',
    });
    assert.equal(outcome?.result, 'succeeded');
    const errors = (await store.listJournal('r'))
      .filter(
        (r) =>
          r.phase === 'result' &&
          (r.payload as JournalPayload & { section?: string }).section === 'evidence',
      )
      .map((r) => (r.payload as StepRecord).error);
    assert.deepEqual(errors, [
      'exit code 1, expected 0',
      `cannot open ${join(dir, 'missing.log')}: ENOENT`,
      'no signal opened this run (a run by hand): no observations to keep',
      'command not found: /no/such/program',
    ]);
    await store.close();
  }));

test('verify: failing at its deadline is a failure; nothing to verify is unknown, not rolled back', () =>
  withTempDir(async (dir) => {
    const log = join(dir, 'rollback.log');
    const config = await configFrom(
      dir,
      serviceYaml('api', ['/bin/false']) +
        runbookYaml(
          'r',
          `  steps:
    - verify: {interval: 50ms}
      timeout: 300ms
  onFailure:
    - exec: {command: [${q(NODE)}, ${q(APPEND_STEP)}, ${q(log)}, rollback]}`,
        ) +
        runbookYaml('other-check', '  steps:\n    - verify: {check: nope}'),
    );
    const store = await tempStore(dir);
    const executor = createRunbookExecutor({ config: () => config, store, log: silentLog });
    const failed = await executor.run({
      runId: 'a',
      runbook: 'r',
      service: 'api',
      params: {},
      actor: 't',
    });
    assert.equal(failed?.result, 'failed');
    assert.match(
      failed!.detail,
      /^steps\[0\] verify failed: not healthy \(timed out after 300 ms\): api\/live: exit code 1, expected 0; onFailure ran 1 step\(s\), all ok$/,
    );
    const unknown = await executor.run({
      runId: 'b',
      runbook: 'other-check',
      service: 'api',
      params: {},
      actor: 't',
    });
    assert.deepEqual(unknown, {
      result: 'unknown',
      detail:
        'steps[0] verify: cannot verify: service api has no check named nope; not rolled back',
    });
    const ghost = await executor.run({
      runId: 'c',
      runbook: 'r',
      service: 'ghost',
      params: {},
      actor: 't',
    });
    assert.equal(ghost?.result, 'unknown');
    assert.match(ghost!.detail, /the service is not in the config/);
    assert.equal(
      await readFile(log, 'utf8'),
      'rollback start\nrollback done\n',
      'rolled back once: for the failure only',
    );
    await store.close();
  }));

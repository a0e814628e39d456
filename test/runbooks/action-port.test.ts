import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRunbookExecutor } from '../../src/runbooks/executor.ts';
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

const q = JSON.stringify;

test('the ActionPort: other commands ignored, a heal runs once however often it is dispatched', () =>
  withTempDir(async (dir) => {
    const log = join(dir, 'steps.log');
    const config = await configFrom(
      dir,
      serviceYaml('api') +
        runbookYaml(
          'restart',
          `  steps:\n    - exec: {command: [${q(NODE)}, ${q(APPEND_STEP)}, ${q(log)}, restart, "100"]}\n    - verify: {}`,
        ),
    );
    const store = await tempStore(dir);
    const executor = createRunbookExecutor({ config: () => config, store, log: silentLog });
    const { outcomes, report } = reports();
    await executor.dispatch(
      { kind: 'resolvePage', id: 'p', idempotencyKey: 'p:resolve', target: 'inc-1', summary: '' },
      { report },
    );
    const command = heal('restart', 'api');
    await executor.dispatch(command, { report });
    await executor.dispatch(command, { report }); // while the first runs
    await executor.idle();
    await executor.dispatch(command, { report }); // after it finished (a restart re-dispatches it)
    await executor.idle();
    assert.equal(await readFile(log, 'utf8'), 'restart start\nrestart done\n');
    assert.deepEqual(
      outcomes.map((o) => o.result),
      ['succeeded', 'succeeded'],
      'the finished run reports its outcome again; nothing runs again',
    );
    assert.equal((await store.listJournal(command.id)).length, 6);
    await store.close();
  }));

test('no such runbook: failed, nothing ran; a runbook changed mid-run: unknown', () =>
  withTempDir(async (dir) => {
    const yaml = (name: string) =>
      serviceYaml('api') +
      runbookYaml(
        'r',
        `  steps:\n    - {name: ${name}, exec: {command: [/bin/true]}}\n    - verify: {}`,
      );
    const before = await configFrom(dir, yaml('one'));
    const after = await configFrom(dir, yaml('two'));
    const store = await tempStore(dir);
    let config = before;
    const executor = createRunbookExecutor({ config: () => config, store, log: silentLog });
    assert.deepEqual(
      await executor.run({ runId: 'x', runbook: 'nope', service: 'api', params: {}, actor: 't' }),
      {
        result: 'failed',
        detail: 'no runbook named nope in the config; nothing ran',
      },
    );
    // A run that began under `before` and was cut after its first step...
    await store.appendJournal({
      runId: 'y',
      stepIndex: -1,
      attempt: 0,
      idempotencyKey: 'y:run',
      phase: 'intent',
      at: 1,
      payload: {
        type: 'run',
        runbook: 'r',
        revision: before.runbooks[0]!.revision,
        service: 'api',
        params: {},
        actor: 't',
      },
    });
    config = after;
    const outcome = await executor.run({
      runId: 'y',
      runbook: 'r',
      service: 'api',
      params: {},
      actor: 't',
    });
    assert.equal(outcome?.result, 'unknown');
    assert.match(
      outcome!.detail,
      /^runbook r changed since this run began \(revision \w+ -> \w+\)/,
    );
    // A run refused for its params, cut between its intent and its result: still refused.
    const revision = after.runbooks[0]!.revision;
    const payload = {
      type: 'run',
      runbook: 'r',
      revision,
      service: 'api',
      params: { extra: 1 },
      actor: 't',
    };
    await store.appendJournal({
      runId: 'z',
      stepIndex: -1,
      attempt: 0,
      idempotencyKey: 'z:run',
      phase: 'intent',
      at: 1,
      payload,
    });
    assert.deepEqual(
      await executor.run({
        runId: 'z',
        runbook: 'r',
        service: 'api',
        params: { extra: 1 },
        actor: 't',
      }),
      {
        result: 'failed',
        detail:
          'params do not validate: params.extra: not declared by the runbook (declared: none); nothing ran',
        refused: true,
      },
    );
    assert.equal((await store.listJournal('z')).length, 2);
    await store.close();
  }));

test('a heal refused for its params is reported refused (final: the engine does not retry it), again after a restart', () =>
  withTempDir(async (dir) => {
    const config = await configFrom(
      dir,
      serviceYaml('api') +
        runbookYaml(
          'restart',
          '  params:\n    service: {pattern: web}\n  steps:\n    - exec: {command: [/bin/true]}\n    - verify: {}',
        ),
    );
    const store = await tempStore(dir);
    const executor = createRunbookExecutor({ config: () => config, store, log: silentLog });
    const { outcomes, report } = reports();
    const command = { ...heal('restart', 'api'), params: { service: 'api' } };
    await executor.dispatch(command, { report });
    await executor.idle();
    await executor.dispatch(command, { report }); // re-dispatched after a restart: the same outcome
    await executor.idle();
    const expected = {
      result: 'failed',
      detail:
        'params do not validate: params.service: expected a value matching web, found "api"; nothing ran',
      refused: true,
    };
    assert.deepEqual(
      outcomes.map(({ result, detail, refused }) => ({ result, detail, refused })),
      [expected, expected],
    );
    await store.close();
  }));

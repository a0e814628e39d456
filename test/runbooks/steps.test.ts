import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { NotifyFn } from '../../src/decisions/action-port.ts';
import { createRunbookExecutor } from '../../src/runbooks/executor.ts';
import type { StepIntent, StepRecord } from '../../src/runbooks/journal.ts';
import { REDACTED } from '../../src/secrets/redactor.ts';
import { TRUNCATION_MARKER } from '../../src/signals/observation.ts';
import type { Store } from '../../src/store/store.ts';
import { recordSignal } from '../store/contract/fixtures.ts';
import {
  configFrom,
  NODE,
  runbookYaml,
  serviceYaml,
  silentLog,
  tempStore,
  withTempDir,
} from './helpers.ts';
import { startSupervised } from './supervisor-server.ts';

const q = JSON.stringify;

/** Whether a process still runs (a zombie waiting for its reaper does not), within a second. */
async function alive(pid: number): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** Run runbook `r` (its spec given) once on service api; the outcome and the step rows. */
async function runOnce(
  dir: string,
  spec: string,
  extra: {
    env?: NodeJS.ProcessEnv;
    notify?: NotifyFn;
    prepare?: (store: Store) => Promise<void>;
    lead?: boolean;
  } = {},
) {
  const config = await configFrom(dir, serviceYaml('api') + runbookYaml('r', spec));
  const store = await tempStore(dir);
  try {
    await extra.prepare?.(store);
    const executor = createRunbookExecutor({
      config: () => config,
      store,
      log: silentLog,
      ...(extra.env ? { env: extra.env } : {}),
    });
    const outcome = await executor.run({
      runId: 'r1',
      runbook: 'r',
      service: 'api',
      params: {},
      actor: 't',
      ...(extra.notify ? { notify: extra.notify } : {}),
      ...(extra.lead
        ? {
            lead: {
              fingerprint: 'fp',
              source: 'probe',
              check: 'live',
              labels: {},
              summary: '',
              startsAt: 0,
            },
          }
        : {}),
    });
    const rows = await store.listJournal('r1');
    const records = rows
      .filter((r) => r.phase === 'result' && r.stepIndex >= 0)
      .map((r) => r.payload as StepRecord);
    const intents = rows
      .filter((r) => r.phase === 'intent' && r.stepIndex >= 0)
      .map((r) => r.payload as StepIntent);
    return { outcome, records, intents, text: JSON.stringify(rows) };
  } finally {
    await store.close();
  }
}

test('a timeout kills the command and everything it started', () =>
  withTempDir(async (dir) => {
    const pidFile = join(dir, 'grandchild.pid');
    // The step starts a grandchild that would outlive it (its stdio detached), then hangs. A
    // shell, not node: node can take longer than the timeout to start on a loaded machine.
    const script = `sleep 60 </dev/null >/dev/null 2>&1 & echo $! > ${q(pidFile)}; wait`;
    const started = Date.now();
    const { outcome, records } = await runOnce(
      dir,
      `  steps:\n    - exec: {command: [sh, -c, ${q(script)}]}\n      timeout: 500ms\n    - verify: {}`,
    );
    assert.ok(Date.now() - started < 5000);
    assert.equal(outcome?.result, 'failed');
    assert.equal(records[0]!.error, 'timed out after 500 ms; killed its process group');
    const pid = Number(await readFile(pidFile, 'utf8'));
    assert.equal(await alive(pid), false, 'the grandchild is gone');
  }));

test('children that left the process group (setsid) are killed when the step ends or times out', () =>
  withTempDir(async (dir) => {
    // One keeps the step's stdout open, one has closed its stdio; each writes its pid to a file.
    const leave = (file: string, stdio: string) =>
      `setsid sh -c 'echo $$ > ${join(dir, file)}; exec sleep 121 ${stdio}' &`;
    const script = (step: string, then: string) =>
      [
        leave(`${step}-1.pid`, ''),
        leave(`${step}-2.pid`, '</dev/null >/dev/null 2>&1'),
        'sleep 0.2',
        then,
      ].join('\n');
    const started = Date.now();
    const { records } = await runOnce(
      dir,
      `  steps:\n    - exec: {command: [sh, -c, ${q(script('exits', 'exit 0'))}]}\n      timeout: 5s\n    - exec: {command: [sh, -c, ${q(script('hangs', 'wait'))}]}\n      timeout: 800ms\n    - verify: {}`,
    );
    assert.equal(records[0]!.status, 'ok');
    assert.equal(records[1]!.error, 'timed out after 800 ms; killed its process group');
    assert.ok(Date.now() - started < 4000, 'no child held the pipes open');
    for (const file of ['exits-1.pid', 'exits-2.pid', 'hangs-1.pid', 'hangs-2.pid']) {
      const pid = Number(await readFile(join(dir, file), 'utf8'));
      assert.equal(await alive(pid), false, `setsid child ${pid} survived`);
    }
  }));

test('the limit: a child that left the group and cleared its environment survives, and the step still ends at its timeout', () =>
  withTempDir(async (dir) => {
    const pidFile = join(dir, 'hidden.pid');
    const script = `setsid env -i sh -c 'echo $$ > ${pidFile}; exec sleep 121' &\nsleep 0.2\nexit 0`;
    const started = Date.now();
    const { records } = await runOnce(
      dir,
      `  steps:\n    - exec: {command: [sh, -c, ${q(script)}]}\n      timeout: 800ms\n    - verify: {}`,
    );
    const pid = Number(await readFile(pidFile, 'utf8'));
    try {
      assert.ok(Date.now() - started < 4000, 'the step ended at its timeout');
      assert.equal(records[0]!.error, 'timed out after 800 ms; killed its process group');
      assert.equal(await alive(pid), true, 'documented in README: not found without its tag');
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  }));

test('output is bounded per step, with the truncation marker', () =>
  withTempDir(async (dir) => {
    const { records } = await runOnce(
      dir,
      `  maxOutputBytes: 1024\n  steps:\n    - exec: {command: [${q(NODE)}, -e, "process.stdout.write('x'.repeat(200000))"]}\n    - verify: {}`,
    );
    assert.equal(records[0]!.status, 'ok');
    assert.equal(records[0]!.output, 'x'.repeat(1024) + TRUNCATION_MARKER);
  }));

test('secrets from env and files reach the target and are redacted in everything recorded', async () => {
  const svc = await startSupervised({ up: true });
  try {
    await withTempDir(async (dir) => {
      const file = join(dir, 'token');
      await writeFile(file, 'file-secret-42\n');
      const spec = `  steps:
    - exec:
        command: [${q(NODE)}, -e, "console.log('env says', process.env.TOKEN, 'and', process.env.OTHER); process.exit(1)"]
        env: {TOKEN: {valueFrom: {env: ENV_SECRET}}, OTHER: {valueFrom: {file: ${q(file)}}}}
      retries: 0
    - verify: {}
  onFailure:
    - http:
        method: POST
        url: ${q(`${svc.url}/restart`)}
        headers: {Authorization: {valueFrom: {env: ENV_SECRET}, prefix: "Bearer "}}
        body: {note: plain}`;
      const { outcome, records, intents, text } = await runOnce(dir, spec, {
        env: { ENV_SECRET: 'env-secret-17' },
      });
      assert.equal(outcome?.result, 'failed');
      assert.equal(records[0]!.output, 'env says [redacted] and [redacted]\n');
      assert.deepEqual((intents[0]!.command as { env: unknown }).env, {
        TOKEN: '[secret]',
        OTHER: '[secret]',
      });
      // The server got the real value, and echoed it back in a header: redacted in the dump.
      assert.equal(svc.requests.at(-1)?.headers.authorization, 'Bearer env-secret-17');
      assert.match(records[1]!.output!, /x-echo: Bearer \[redacted\]/);
      assert.equal(text.includes('env-secret-17'), false);
      assert.equal(text.includes('file-secret-42'), false);
    });
  } finally {
    await svc.close();
  }
});

test('a secret a step prints encoded (base64, Basic auth, URL) is redacted in everything recorded', () =>
  withTempDir(async (dir) => {
    const secret = 'p@ss w/rd+17';
    const script = [
      'printf %s "$TOKEN" | base64',
      'echo "$TOKEN" | base64',
      'printf "user:%s" "$TOKEN" | base64',
      'printf %s "$TOKEN" | base64 | tr "+/" "-_"',
    ].join('; ');
    const urls =
      'console.log(encodeURIComponent(process.env.TOKEN), new URLSearchParams({t: process.env.TOKEN}).toString())';
    const { records, text } = await runOnce(
      dir,
      `  steps:
    - exec:
        command: [sh, -c, ${q(script)}]
        env: {TOKEN: {valueFrom: {env: ENV_SECRET}}}
    - exec:
        command: [${q(NODE)}, -e, ${q(urls)}]
        env: {TOKEN: {valueFrom: {env: ENV_SECRET}}}
    - verify: {}`,
      { env: { ENV_SECRET: secret } },
    );
    assert.equal(records[0]!.status, 'ok');
    assert.equal(records[1]!.status, 'ok');
    const encoded = [
      Buffer.from(secret).toString('base64'),
      Buffer.from(`${secret}\n`).toString('base64'),
      Buffer.from(`user:${secret}`).toString('base64').slice(8, -4),
      Buffer.from(secret).toString('base64url'),
      encodeURIComponent(secret),
      new URLSearchParams({ t: secret }).toString().slice(2),
    ];
    for (const form of encoded) assert.equal(text.includes(form), false, `${form} was recorded`);
    assert.equal(records[0]!.output!.split('\n').filter((l) => l.includes(REDACTED)).length, 4);
    assert.match(records[1]!.output!, /^\[redacted\] t=\[redacted\]\n$/);
  }));

test('a secret that cannot be read, or a header value with CR/LF: the run is refused before it starts', () =>
  withTempDir(async (dir) => {
    const { outcome, records } = await runOnce(
      dir,
      `  params: {v: {default: "a\\r\\nX-Evil: 1"}}
  steps:
    - http: {url: "http://127.0.0.1:1/", headers: {X-Token: {valueFrom: {env: NOT_SET}}}}
    - verify: {}
  onFailure:
    - http: {url: "http://127.0.0.1:1/", headers: {X-Note: "{{params.v}}"}}`,
      { env: {} },
    );
    assert.equal(outcome?.result, 'failed');
    assert.equal(
      outcome?.detail,
      'steps[0] http would be refused: the environment variable NOT_SET is not set; onFailure[0] http would be refused: headers.X-Note: a value may not hold CR, LF or NUL; nothing ran',
    );
    assert.deepEqual(records, [], 'no step ran, not even the rollback');
  }));

test('observations: the last observations of the signal that fired, from the store', () =>
  withTempDir(async (dir) => {
    const observation = (i: number) => ({
      ok: false,
      startedAt: 1000 + i,
      durationMs: 1,
      error: `refused ${i}`,
    });
    const { records } = await runOnce(
      dir,
      '  evidence:\n    - observations: {count: 2}\n  steps:\n    - verify: {}',
      {
        lead: true,
        prepare: async (store) => {
          await recordSignal(store, {
            fingerprint: 'fp',
            source: 'probe',
            service: 'api',
            check: 'live',
            labels: {},
            status: 'firing',
            startsAt: 1000,
            at: 1010,
            summary: 'down',
            evidence: [0, 1, 2].map(observation),
          });
        },
      },
    );
    const data = records[0]!.data as { observations: { error: string }[] };
    assert.deepEqual(
      data.observations.map((o) => o.error),
      ['refused 1', 'refused 2'],
    );
    assert.match(records[0]!.output!, /^1970-01-01T00:00:01\.001Z failed 1 ms: refused 1\n/);
  }));

test('logTail: the last lines, at most maxOutputBytes, marked when cut', () =>
  withTempDir(async (dir) => {
    const path = join(dir, 'app.log');
    await writeFile(path, `${Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n')}\n`);
    const { records } = await runOnce(
      dir,
      `  maxOutputBytes: 1024\n  evidence:\n    - logTail: {path: ${q(path)}, lines: 3}\n    - logTail: {path: ${q(path)}, lines: 1000}\n  steps:\n    - verify: {}`,
    );
    assert.equal(records[0]!.output, '[... truncated by mend]\nline 4997\nline 4998\nline 4999');
    assert.ok(records[1]!.output!.length <= 1024 + 30);
    assert.ok(records[1]!.output!.endsWith('line 4999'));
  }));

test("notify: sent through the heal's notify (the engine pages); a run by hand has none and fails", () =>
  withTempDir(async (dir) => {
    const spec =
      '  steps:\n    - notify: {notifiers: [oncall], message: "restarting {{service.name}} ({{run.id}})"}\n    - verify: {}';
    const sent: unknown[] = [];
    const { outcome } = await runOnce(dir, spec, {
      notify: async (request) => {
        sent.push(request);
      },
    });
    assert.equal(outcome?.result, 'succeeded');
    assert.deepEqual(sent, [
      { key: 'r1:steps:0:1', notifiers: ['oncall'], message: 'restarting api (r1)' },
    ]);
    await withTempDir(async (other) => {
      const without = await runOnce(other, spec);
      assert.match(without.outcome!.detail, /a run by hand has no incident to page about/);
    });
  }));

test('stop() cuts the step in flight; the journal lets the next executor resume it', () =>
  withTempDir(async (dir) => {
    const config = await configFrom(
      dir,
      serviceYaml('api') +
        runbookYaml('r', `  steps:\n    - wait: {duration: 10s}\n    - verify: {}`),
    );
    const store = await tempStore(dir);
    const first = createRunbookExecutor({ config: () => config, store, log: silentLog });
    const running = first.run({ runId: 'r', runbook: 'r', service: 'api', params: {}, actor: 't' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.stop();
    assert.equal(await running, undefined, 'no outcome: left to resume');
    const rows = await store.listJournal('r');
    assert.deepEqual(
      rows.map((r) => `${r.phase} ${r.idempotencyKey}`),
      ['intent r:run', 'intent r:steps:0:1'],
    );
    // The wait is idempotent: the next start runs it again (as attempt 2) and goes on.
    const second = createRunbookExecutor({ config: () => config, store, log: silentLog });
    const resumed = second.run({
      runId: 'r',
      runbook: 'r',
      service: 'api',
      params: {},
      actor: 't',
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = (await store.listJournal('r')).map((r) =>
      `${r.phase} ${r.idempotencyKey} ${(r.payload as StepRecord).status ?? ''}`.trim(),
    );
    assert.deepEqual(after.slice(2), ['result r:steps:0:1 interrupted', 'intent r:steps:0:2']);
    await second.stop();
    await resumed;
    await store.close();
  }));

test('every template is checked before the first step: a value refused at step 1 stops step 0 too', async () => {
  const svc = await startSupervised({ up: true });
  try {
    await withTempDir(async (dir) => {
      const spec = `  params: {n: {type: integer, default: -1}}
  steps:
    - http: {method: POST, url: ${q(`${svc.url}/restart`)}}
    - exec: {command: [echo, "{{params.n}}"]}
    - verify: {}`;
      const before = svc.requests.length;
      const { outcome, records, intents } = await runOnce(dir, spec);
      assert.equal(outcome?.result, 'failed');
      assert.match(
        outcome!.detail,
        /^steps\[1\] exec would be refused: command\[1\]: \{\{params\.n\}\} is "-1", which would start the argument with "-" .*; nothing ran$/,
      );
      assert.equal(svc.requests.length, before, 'the POST of step 0 was never sent');
      assert.deepEqual([records, intents], [[], []], 'no step was journaled');
    });
  } finally {
    await svc.close();
  }
});

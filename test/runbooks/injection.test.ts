import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LeadSignal } from '../../src/policy/types.ts';
import { createRunbookExecutor } from '../../src/runbooks/executor.ts';
import type { StepRecord } from '../../src/runbooks/journal.ts';
import {
  configFrom,
  NODE,
  PRINT_ARGV,
  runbookYaml,
  serviceYaml,
  silentLog,
  tempStore,
  withTempDir,
} from './helpers.ts';

/**
 * Injection attempts, and what the target actually received: a real child process printing its
 * argv, and a real HTTP server recording the request. Each value must arrive as exactly the data
 * it is, or be refused before anything runs; never change what runs.
 */
const CORPUS = [
  'a; rm -rf /',
  ';rm -rf /',
  '$(touch PWNED)',
  '`touch PWNED`',
  '| cat /etc/passwd',
  '&& reboot',
  'line1\nline2',
  'x\r\nX-Injected: 1',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, as an attacker writes it
  '${HOME}',
  "' OR 1=1 --",
  '"},"x":"',
  '../../etc/passwd',
  '..',
  '?a=b&c=d',
  '#fragment',
  '%2e%2e%2f',
  ' spaced  out ',
  '*',
  'ünïcødé ☃',
  'back\\slash',
];
/** Refused by param validation: nothing of the run starts. */
const REFUSED_PARAMS = ['-rf', '--flag=x', '-', 'nul\u0000byte'];

interface Received {
  path: string;
  query: string | null;
  body: unknown;
}

async function echoServer(): Promise<{
  url: string;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const url = new URL(req.url ?? '/', 'http://x');
    received.push({
      path: req.url ?? '',
      query: url.searchParams.get('v'),
      body: JSON.parse(text || 'null'),
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function setup(dir: string, base: string) {
  const exec = `  params: {x: {}}
  steps:
    - exec: {command: [${JSON.stringify(NODE)}, ${JSON.stringify(PRINT_ARGV)}, "{{params.x}}", "lit-{{params.x}}", "--v={{params.x}}", "{{signal.labels.z}}"], cwd: ${JSON.stringify(dir)}}
    - verify: {}`;
  const http = `  params: {x: {}}
  steps:
    - http:
        method: POST
        url: "${base}/echo/{{params.x}}?v={{params.x}}"
        body: {v: "{{params.x}}", n: 1}
    - verify: {}`;
  const config = await configFrom(
    dir,
    serviceYaml('api') + runbookYaml('exec', exec) + runbookYaml('http', http),
  );
  const store = await tempStore(dir);
  const executor = createRunbookExecutor({ config: () => config, store, log: silentLog });
  return { store, executor };
}

const lead = (z: string): LeadSignal => ({
  fingerprint: 'f',
  source: 'probe',
  check: 'live',
  labels: { z },
  summary: 's',
  startsAt: 0,
});

async function stepResult(
  store: Awaited<ReturnType<typeof tempStore>>,
  runId: string,
): Promise<StepRecord | undefined> {
  const rows = await store.listJournal(runId);
  return rows.find((r) => r.phase === 'result' && r.stepIndex === 0)?.payload as
    | StepRecord
    | undefined;
}

test('exec: every value arrives as exactly one argv element, unchanged', () =>
  withTempDir(async (dir) => {
    const { store, executor } = await setup(dir, 'http://127.0.0.1:1');
    try {
      for (const [i, value] of CORPUS.entries()) {
        const runId = `exec-${i}`;
        const outcome = await executor.run({
          runId,
          runbook: 'exec',
          service: 'api',
          params: { x: value },
          actor: 't',
          lead: lead(value),
        });
        assert.equal(outcome?.result, 'succeeded', JSON.stringify(value));
        const record = await stepResult(store, runId);
        assert.deepEqual(
          JSON.parse(record!.output!),
          [value, `lit-${value}`, `--v=${value}`, value],
          JSON.stringify(value),
        );
      }
      assert.equal(existsSync(join(dir, 'PWNED')), false);
    } finally {
      await store.close();
    }
  }));

test('exec: a flag or a NUL in a param is refused before anything runs', () =>
  withTempDir(async (dir) => {
    const { store, executor } = await setup(dir, 'http://127.0.0.1:1');
    try {
      for (const [i, value] of REFUSED_PARAMS.entries()) {
        const runId = `refused-${i}`;
        const outcome = await executor.run({
          runId,
          runbook: 'exec',
          service: 'api',
          params: { x: value },
          actor: 't',
          lead: lead('ok'),
        });
        assert.equal(outcome?.result, 'failed');
        assert.match(outcome!.detail, /^params do not validate: params\.x: .*; nothing ran$/);
        const rows = await store.listJournal(runId);
        assert.deepEqual(
          rows.map((r) => r.stepIndex),
          [-1, -1],
          'only the run intent and result',
        );
      }
    } finally {
      await store.close();
    }
  }));

test('exec: a signal label that would become a flag is refused; the step never starts', () =>
  withTempDir(async (dir) => {
    const { store, executor } = await setup(dir, 'http://127.0.0.1:1');
    try {
      const outcome = await executor.run({
        runId: 'label',
        runbook: 'exec',
        service: 'api',
        params: { x: 'ok' },
        actor: 't',
        lead: lead('-rf'),
      });
      assert.equal(outcome?.result, 'failed');
      assert.match(
        outcome!.detail,
        /steps\[0\] exec would be refused: command\[5\]: \{\{signal.labels.z\}\} is "-rf", which would start the argument with "-"/,
      );
      const rows = await store.listJournal('label');
      assert.equal(
        rows.some((r) => r.phase === 'intent' && r.stepIndex === 0),
        false,
        'no intent: it never started',
      );
    } finally {
      await store.close();
    }
  }));

test('http: a value is one URL component and one JSON string; "." and ".." are refused', async () => {
  const server = await echoServer();
  try {
    await withTempDir(async (dir) => {
      const { store, executor } = await setup(dir, server.url);
      try {
        for (const [i, value] of CORPUS.entries()) {
          const before = server.received.length;
          const outcome = await executor.run({
            runId: `http-${i}`,
            runbook: 'http',
            service: 'api',
            params: { x: value },
            actor: 't',
          });
          if (value === '..') {
            assert.equal(outcome?.result, 'failed');
            assert.match(outcome!.detail, /refused: url: \{\{params.x\}\} is "\.\.", a path step/);
            assert.equal(server.received.length, before, 'nothing sent');
            continue;
          }
          assert.equal(
            outcome?.result,
            'succeeded',
            `${JSON.stringify(value)}: ${outcome?.detail}`,
          );
          const got = server.received.at(-1)!;
          const segments = got.path.split('?')[0]!.split('/');
          assert.deepEqual(segments.slice(0, 2), ['', 'echo'], JSON.stringify(value));
          assert.equal(segments.length, 3, `one path segment for ${JSON.stringify(value)}`);
          assert.equal(decodeURIComponent(segments[2]!), value);
          assert.equal(got.query, value);
          assert.deepEqual(got.body, { v: value, n: 1 });
        }
      } finally {
        await store.close();
      }
    });
  } finally {
    await server.close();
  }
});

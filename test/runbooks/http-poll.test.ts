import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { httpStep } from '../../src/runbooks/steps/http.ts';
import {
  fieldAt,
  rateLimitWait,
  retryAfterMs,
  SECONDARY_LIMIT_WAIT_MS,
} from '../../src/runbooks/steps/http-poll.ts';
import type { StepContext, StepResult } from '../../src/runbooks/steps/step-kind.ts';

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** A loopback server that answers its requests in turn from `answers` (the last one repeats). */
async function serveInTurn(answers: Answer[]) {
  const seen: { at: number; method: string; url: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ at: Date.now(), method: req.method ?? '', url: req.url ?? '' });
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/runs/42`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function poll(url: string, poll: Record<string, unknown>, timeoutMs: number) {
  const prepared = httpStep.prepare(httpStep.spec.parse({ url, poll }), {
    values: { params: {}, dashParams: new Set(), runId: 'r1' },
    secret: () => '',
  });
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`timed out after ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    return await httpStep.execute(prepared, {
      signal: controller.signal,
      timeoutMs,
      maxOutputBytes: 64 * 1024,
      now: Date.now,
    } as StepContext);
  } finally {
    clearTimeout(timer);
  }
}

const state = (status: string, conclusion: string | null = null) => ({
  status: 200,
  body: { id: 42, status, conclusion },
});

test('poll: asks again until the field has one of the values, waiting out a 429 Retry-After', async (t) => {
  const server = await serveInTurn([
    state('queued'),
    { status: 429, headers: { 'retry-after': '1' }, body: { message: 'rate limited' } },
    state('in_progress'),
    state('completed', 'success'),
  ]);
  t.after(server.close);
  const result: StepResult = await poll(
    server.url,
    { field: 'status', until: ['completed'], interval: '10ms' },
    60_000,
  );
  assert.equal(result.ok, true, result.error);
  assert.equal(server.seen.length, 4);
  assert.ok(server.seen.every((r) => r.method === 'GET' && r.url === '/runs/42'));
  // The request after the 429 came no sooner than its Retry-After allowed (a lower bound only).
  assert.ok(server.seen[2]!.at - server.seen[1]!.at >= 1000, 'Retry-After was not waited');
  assert.match(result.output ?? '', /status is "completed" after 4 requests/);
  assert.deepEqual((result.data as { value: unknown }).value, 'completed');
});

test('poll: a value in failOn fails the step at once, naming the field and its value', async (t) => {
  const server = await serveInTurn([
    { status: 200, body: { run: { conclusion: null } } },
    { status: 200, body: { run: { conclusion: 'failure' } } },
  ]);
  t.after(server.close);
  const result = await poll(
    server.url,
    {
      field: 'run.conclusion',
      until: ['success'],
      failOn: ['failure', 'cancelled'],
      interval: '10ms',
    },
    60_000,
  );
  assert.equal(result.ok, false);
  assert.match(result.error ?? '', /run\.conclusion is "failure" after 2 requests/);
});

test('poll: never done by the deadline (the step timeout): failed, with the last value seen', async (t) => {
  const server = await serveInTurn([state('in_progress')]);
  t.after(server.close);
  const result = await poll(
    server.url,
    { field: 'status', until: ['completed'], interval: '10ms' },
    300,
  );
  assert.equal(result.ok, false);
  assert.match(
    result.error ?? '',
    /timed out after 300 ms; status was "in_progress" after \d+ requests/,
  );
  assert.ok(server.seen.length >= 2);
});

test('poll: an unexpected status (404) fails at once; it is not asked again', async (t) => {
  const server = await serveInTurn([{ status: 404, body: { message: 'Not Found' } }]);
  t.after(server.close);
  const result = await poll(
    server.url,
    { field: 'status', until: ['completed'], interval: '10ms' },
    60_000,
  );
  assert.equal(result.ok, false);
  assert.match(result.error ?? '', /status 404/);
  assert.equal(server.seen.length, 1);
});

test('fieldAt walks names and list indexes; retryAfterMs reads seconds and HTTP dates', () => {
  const doc = { workflow_runs: [{ id: 7, conclusion: 'success' }], n: 0 };
  assert.equal(fieldAt(doc, ['workflow_runs', '0', 'conclusion']), 'success');
  assert.equal(fieldAt(doc, ['n']), 0);
  assert.equal(fieldAt(doc, ['workflow_runs', '1', 'id']), undefined);
  assert.equal(fieldAt(doc, ['toString']), undefined, 'only own fields');
  assert.equal(retryAfterMs('2', 0), 2000);
  const now = Date.parse('2026-12-02T10:00:00Z');
  assert.equal(retryAfterMs('Wed, 02 Dec 2026 10:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('soon', now), undefined);
});

test('rateLimitWait: 429/503 Retry-After, GitHub 403 forms, and a 403 that is a permission error', () => {
  const now = Date.parse('2026-12-02T18:00:00Z');
  const at = (status: number, headers: Record<string, string> = {}, body = '') =>
    rateLimitWait({ status, headers, body }, now);
  assert.equal(at(429, { 'retry-after': '3' }), 3000);
  assert.equal(at(503), undefined, 'rate limited, no hint: the caller backs off');
  assert.equal(at(403, { 'retry-after': '2' }), 2000);
  const reset = String(now / 1000 + 90);
  assert.equal(at(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), 90_000);
  assert.equal(at(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), 90_000);
  assert.equal(
    at(
      403,
      { 'x-ratelimit-remaining': '4000' },
      '{"message":"You have exceeded a secondary rate limit."}',
    ),
    SECONDARY_LIMIT_WAIT_MS,
  );
  assert.equal(at(403, {}, '{"message":"Resource not accessible by integration"}'), null);
  assert.equal(at(404), null);
  assert.equal(at(200), null);
});

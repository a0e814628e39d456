import { z } from 'zod';
import { isSecretRef, textOrSecret } from '../../secrets/secret-ref.ts';
import { renderJson, renderText, renderUrl } from '../render.ts';
import { Refusal } from '../template-values.ts';
import { httpPollSpec, judgeAnswer, type PreparedPoll, preparePoll } from './http-poll.ts';
import { dumpAnswer, send } from './http-send.ts';
import { abortReason, sleep } from './sleep.ts';
import { defineStepKind, type StepContext, type StepResult } from './step-kind.ts';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const httpStepSpec = z.strictObject({
  method: z
    .enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])
    .default('GET')
    .describe('Default `GET`.'),
  url: z
    .string()
    .min(1)
    .describe(
      'An http or https URL. Templates allowed: each value is one percent-encoded component, so it cannot add a path step, a query or a fragment.',
    ),
  headers: z
    .record(
      z.string().regex(TOKEN, { error: 'expected a header name' }),
      textOrSecret('The value.'),
    )
    .default({})
    .describe('Request headers (templates allowed, or secrets such as an API token).'),
  body: z
    .json()
    .optional()
    .describe(
      'A JSON body written as YAML; strings may hold templates and always stay JSON strings (a string that is exactly one integer or boolean param becomes that value). Sent with `content-type: application/json` unless a header says otherwise.',
    ),
  expectedStatus: z
    .array(z.int().min(100).max(599))
    .default([])
    .describe(
      'Status codes that count as success. Default `[]`: any 2xx. Redirects are not followed.',
    ),
  poll: httpPollSpec.optional(),
});

export type HttpStepSpec = z.output<typeof httpStepSpec>;

interface PreparedHttp {
  method: HttpStepSpec['method'];
  url: URL;
  headers: Record<string, string>;
  secretHeaders: string[];
  body: string | undefined;
  expectedStatus: number[];
  poll: PreparedPoll | undefined;
}

export const httpStep = defineStepKind({
  name: 'http',
  summary:
    'Sends an HTTP request (an orchestrator’s or a CI/CD pipeline’s API) and checks the status; records status, headers and the bounded body.',
  spec: httpStepSpec,
  sections: ['evidence', 'action'],
  idempotent: false,
  defaultTimeoutMs: (spec) => (spec.poll ? 10 * 60_000 : 30_000),
  prepare(spec, ctx): PreparedHttp {
    const headers: Record<string, string> = {};
    const secretHeaders: string[] = [];
    for (const [name, value] of Object.entries(spec.headers)) {
      if (isSecretRef(value)) secretHeaders.push(name);
      const text = isSecretRef(value)
        ? ctx.secret(value)
        : renderText(value, ctx.values, `headers.${name}`);
      if (/[\r\n\0]/.test(text)) {
        throw new Refusal(`headers.${name}: a value may not hold CR, LF or NUL`);
      }
      headers[name] = text;
    }
    let body: string | undefined;
    if (spec.body !== undefined) {
      body = JSON.stringify(renderJson(spec.body, ctx.values, 'body'));
      const given = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
      if (!given) headers['content-type'] = 'application/json';
    }
    return {
      method: spec.method,
      url: renderUrl(spec.url, ctx.values, 'url'),
      headers,
      secretHeaders,
      body,
      expectedStatus: spec.expectedStatus,
      poll: spec.poll === undefined ? undefined : preparePoll(spec.poll),
    };
  },
  statusName: 'status',
  summarize: (c) => `${c.method} ${c.url}`,
  describe: (p) => ({
    method: p.method,
    url: p.url.href,
    headers: Object.fromEntries(
      Object.entries(p.headers).map(([name, value]) => [
        name,
        p.secretHeaders.includes(name) ? '[secret]' : value,
      ]),
    ),
    ...(p.body !== undefined ? { body: p.body } : {}),
    ...(p.poll !== undefined
      ? { poll: { field: p.poll.field.join('.'), until: p.poll.until, failOn: p.poll.failOn } }
      : {}),
  }),
  execute: (p, ctx) => (p.poll === undefined ? exchange(p, ctx) : pollUntil(p, p.poll, ctx)),
});

/**
 * Asks again until the answer's JSON field has one of the wanted values, a failing value, or
 * the step's deadline passes; between two requests the wait doubles up to maxInterval, and a
 * 429 or 503 waits at least its Retry-After. The result is the last exchange's, with the count.
 */
async function pollUntil(
  p: PreparedHttp,
  poll: PreparedPoll,
  ctx: StepContext,
): Promise<StepResult> {
  const field = poll.field.join('.');
  let waitMs = poll.intervalMs;
  let last: unknown;
  for (let requests = 1; ; requests++) {
    const answer = await exchange(p, ctx);
    const after = `after ${requests} request${requests === 1 ? '' : 's'}`;
    const was = last === undefined ? 'no value yet' : `${field} was ${JSON.stringify(last)}`;
    if (ctx.signal.aborted)
      return { ...answer, ok: false, error: `${abortReason(ctx.signal)}; ${was} ${after}` };
    const data = answer.data as
      | { status: number; headers: Record<string, string>; body?: string }
      | undefined;
    if (data === undefined) return answer; // no answer at all (refused, reset): the executor retries
    const verdict = judgeAnswer(
      poll,
      { status: data.status, ok: answer.ok, headers: data.headers, body: data.body ?? '' },
      ctx.now(),
    );
    const { body: _body, ...kept } = data;
    if (verdict.kind === 'passed') {
      const said = `${field} is ${JSON.stringify(verdict.value)} ${after}`;
      return {
        ...answer,
        data: { ...kept, requests, value: verdict.value },
        output: `${said}\n${answer.output ?? ''}`,
      };
    }
    if (verdict.kind === 'failed') {
      return {
        ...answer,
        ok: false,
        data: { ...kept, requests },
        error: `${verdict.why} ${after}`,
      };
    }
    if (verdict.value !== undefined) last = verdict.value;
    const pause = Math.max(waitMs, verdict.notBeforeMs ?? 0);
    waitMs = Math.min(waitMs * 2, poll.maxIntervalMs);
    if (!(await sleep(pause, ctx.signal))) {
      const now = last === undefined ? 'no value yet' : `${field} was ${JSON.stringify(last)}`;
      return {
        ...answer,
        ok: false,
        data: { ...kept, requests },
        error: `${abortReason(ctx.signal)}; ${now} ${after}`,
      };
    }
  }
}

/** One request and its answer: status, headers, the bounded body. */
async function exchange(p: PreparedHttp, ctx: StepContext): Promise<StepResult> {
  const answer = await send(p, ctx.signal, ctx.maxOutputBytes);
  if ('error' in answer) return { ok: false, error: answer.error };
  const { status, headers } = answer;
  const ok =
    p.expectedStatus.length === 0
      ? status >= 200 && status < 300
      : p.expectedStatus.includes(status);
  const expected = p.expectedStatus.length === 0 ? '2xx' : p.expectedStatus.join(', ');
  return {
    ok,
    status,
    output: dumpAnswer(answer),
    // The body rides along for a poll to read; pollUntil takes it out before it is recorded.
    data: { status, headers, ...(p.poll ? { body: answer.body } : {}) },
    ...(ok ? {} : { error: `status ${status}, expected ${expected}` }),
  };
}

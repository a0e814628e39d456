import { z } from 'zod';
import { isSecretRef, textOrSecret } from '../../secrets/secret-ref.ts';
import { BoundedOutput } from '../../signals/probes/bounded-output.ts';
import { type UndiciResponse, undici } from '../../support/undici.ts';
import { renderJson, renderText, renderUrl } from '../render.ts';
import { Refusal } from '../template-values.ts';
import { defineStepKind } from './step-kind.ts';

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
});

export type HttpStepSpec = z.output<typeof httpStepSpec>;

interface PreparedHttp {
  method: HttpStepSpec['method'];
  url: URL;
  headers: Record<string, string>;
  secretHeaders: string[];
  body: string | undefined;
  expectedStatus: number[];
}

export const httpStep = defineStepKind({
  name: 'http',
  summary:
    'Sends an HTTP request (an orchestrator’s or a CI/CD pipeline’s API) and checks the status; records status, headers and the bounded body.',
  spec: httpStepSpec,
  sections: ['evidence', 'action'],
  idempotent: false,
  defaultTimeoutMs: () => 30_000,
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
  }),
  async execute(p, ctx) {
    let response: UndiciResponse;
    const { request } = await undici();
    try {
      response = await request(p.url, {
        method: p.method,
        headers: p.headers,
        body: p.body,
        signal: ctx.signal,
        reset: true, // one connection per step: nothing kept open after the run
      });
    } catch (err) {
      const why = ctx.signal.aborted
        ? String((ctx.signal.reason as Error)?.message)
        : (err as Error).message;
      return { ok: false, error: `${p.method} ${p.url.href}: ${why}` };
    }
    const bounded = new BoundedOutput(ctx.maxOutputBytes);
    try {
      for await (const chunk of response.body) {
        bounded.push(chunk as Buffer);
        if (bounded.truncated) break; // stop reading: the rest is not kept
      }
    } catch (err) {
      bounded.push(Buffer.from(`\n[body read failed: ${(err as Error).message}]`));
    }
    const status = response.statusCode;
    const headers = flatHeaders(response.headers);
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
    const output = [`HTTP ${status}`, ...head, '', bounded.text()].join('\n');
    const ok =
      p.expectedStatus.length === 0
        ? status >= 200 && status < 300
        : p.expectedStatus.includes(status);
    const expected = p.expectedStatus.length === 0 ? '2xx' : p.expectedStatus.join(', ');
    return {
      ok,
      status,
      output,
      data: { status, headers },
      ...(ok ? {} : { error: `status ${status}, expected ${expected}` }),
    };
  },
});

function flatHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

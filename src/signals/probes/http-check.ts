import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { readHealthDocument } from '../health-document.ts';
import type { DependencyStatus, ProbePhases, ProbeResult } from '../observation.ts';
import { boundedText } from './bounded-output.ts';
import type { HttpProbeSpec } from './http.ts';
import { type ExchangeResult, exchange, type TlsSetup } from './http-exchange.ts';
import { buildRequest, checkHeaders } from './http-request.ts';
import type { BodyPlan, ResponseHead } from './http-response-reader.ts';
import { type HttpExpectations, judgeHttpAnswer } from './http-verdict.ts';
import type { ProbeContext } from './probe-kind.ts';

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** application/json, application/health+json, application/vnd.spring-boot.actuator.v3+json. */
const JSON_TYPE = /^[^;]*[/+]json\b/i;

/** One request of a probe: the first, or one after a redirect. */
interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  host: string;
  port: number;
  tls: TlsSetup | undefined;
  request: Buffer;
}

/** Everything prepare can work out once, so a probe run only does I/O. */
export interface HttpCheck {
  spec: HttpProbeSpec;
  expect: HttpExpectations;
  first: Hop;
  secureContext: SecureContext | undefined;
  plan: (head: ResponseHead) => BodyPlan;
}

export function compileHttpCheck(spec: HttpProbeSpec): HttpCheck {
  checkHeaders(spec.headers);
  const url = new URL(spec.url);
  url.hash = '';
  const wantsTls = url.protocol === 'https:' || spec.followRedirects;
  const secureContext = wantsTls ? createSecureContext({ ca: readCa(spec.tls.caFile) }) : undefined;
  const expect: HttpExpectations = {
    status: spec.expectedStatus === undefined ? undefined : new Set(spec.expectedStatus),
    bodyContains: spec.bodyContains,
    bodyRegex: spec.bodyRegex === undefined ? undefined : new RegExp(spec.bodyRegex),
    maxLatencyMs: spec.maxLatencyMs,
    followRedirects: spec.followRedirects,
  };
  const checksBody = expect.bodyContains !== undefined || expect.bodyRegex !== undefined;
  const healthAuto = spec.healthDocument === 'auto';
  // Wait for the body only when something reads it; otherwise keep what came with the headers.
  const plan = (head: ResponseHead): BodyPlan => {
    if (spec.followRedirects && REDIRECTS.has(head.status)) return { limit: 0, wait: false };
    const wait = checksBody || (healthAuto && isJson(head.contentType));
    return { limit: spec.maxBodyBytes, wait };
  };
  const check: HttpCheck = { spec, expect, secureContext, plan, first: undefined as never };
  check.first = compileHop(check, url, spec.method, spec.headers, spec.body);
  return check;
}

function readCa(caFile: string | undefined): Buffer | undefined {
  if (caFile === undefined) return undefined;
  try {
    return readFileSync(caFile);
  } catch (error) {
    throw new Error(`tls.caFile: cannot read ${caFile}: ${(error as Error).message}`);
  }
}

function compileHop(
  check: HttpCheck,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Hop {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const https = url.protocol === 'https:';
  const port = url.port === '' ? (https ? 443 : 80) : Number(url.port);
  let tls: TlsSetup | undefined;
  if (https && check.secureContext !== undefined) {
    const sameHost = host === check.first?.host;
    const configured =
      check.first === undefined || sameHost ? check.spec.tls.serverName : undefined;
    tls = {
      secureContext: check.secureContext,
      servername: configured ?? (isIP(host) === 0 ? host : undefined),
      verify: !check.spec.tls.insecureSkipVerify,
    };
  }
  const request = buildRequest({ method, url, headers, body });
  return { url, method, headers, body, host, port, tls, request };
}

export async function probeHttp(check: HttpCheck, ctx: ProbeContext): Promise<ProbeResult> {
  const startedAt = performance.now();
  const wallStartedAt = Date.now();
  const phases: ProbePhases = {};
  let hop = check.first;
  for (let redirects = 0; ; redirects++) {
    const call = { ...hop, isHeadRequest: hop.method === 'HEAD', plan: check.plan };
    const result = await exchange(call, ctx, wallStartedAt);
    addPhases(phases, result.phases);
    const head = result.head;
    if (result.error !== undefined || head === undefined) {
      return failure(result, result.error ?? 'no response', phases, ctx);
    }
    const next = check.spec.followRedirects ? redirectHop(check, hop, head) : undefined;
    if (next === undefined) {
      return conclude(check, result, head, phases, ctx, performance.now() - startedAt);
    }
    if (redirects === MAX_REDIRECTS) {
      const error = `stopped after ${MAX_REDIRECTS} redirects (the next was to ${next.url.href})`;
      return failure(result, error, phases, ctx);
    }
    hop = next;
  }
}

function conclude(
  check: HttpCheck,
  result: ExchangeResult,
  head: ResponseHead,
  phases: ProbePhases,
  ctx: ProbeContext,
  elapsedMs: number,
): ProbeResult {
  let text: string | undefined;
  const body = (): string => {
    text ??= result.body.toString('utf8');
    return text;
  };
  const error = judgeHttpAnswer(check.expect, head, body, result.bodyComplete, elapsedMs);
  const observed: ProbeResult =
    error === undefined
      ? { ok: true, status: head.status, phases }
      : { ok: false, error, status: head.status, phases };
  if (result.tls !== undefined) observed.tls = result.tls;
  if (result.body.length > 0) {
    observed.output = boundedText(result.body, ctx.maxOutputBytes, !result.bodyComplete);
  }
  if (check.spec.healthDocument === 'auto' && result.bodyComplete && isJson(head.contentType)) {
    const dependencies = dependenciesIn(body(), head.contentType);
    if (dependencies !== undefined) observed.dependencies = dependencies;
  }
  return observed;
}

function failure(
  result: ExchangeResult,
  error: string,
  phases: ProbePhases,
  ctx: ProbeContext,
): ProbeResult {
  const observed: ProbeResult = { ok: false, error, phases };
  if (result.head !== undefined) observed.status = result.head.status;
  if (result.tls !== undefined) observed.tls = result.tls;
  if (result.body.length > 0) {
    observed.output = boundedText(result.body, ctx.maxOutputBytes, !result.bodyComplete);
  }
  return observed;
}

function dependenciesIn(body: string, contentType: string | undefined) {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return undefined;
  }
  return readHealthDocument(document, contentType) satisfies DependencyStatus[] | undefined;
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_TYPE.test(contentType);
}

/** Like blackbox_exporter, phases add up over redirects. */
function addPhases(total: ProbePhases, hop: ProbePhases): void {
  for (const key of Object.keys(hop) as (keyof ProbePhases)[]) {
    total[key] = (total[key] ?? 0) + (hop[key] ?? 0);
  }
}

function redirectHop(check: HttpCheck, hop: Hop, head: ResponseHead): Hop | undefined {
  if (!REDIRECTS.has(head.status) || head.location === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(head.location, hop.url);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  // As browsers do: 303 always, and 301/302 after a POST, continue as GET without the body.
  const toGet =
    hop.method !== 'HEAD' &&
    (head.status === 303 ||
      ((head.status === 301 || head.status === 302) && hop.method === 'POST'));
  const method = toGet ? 'GET' : hop.method;
  const headers = url.origin === hop.url.origin ? hop.headers : withoutCredentials(hop.headers);
  return compileHop(check, url, method, headers, toGet ? undefined : hop.body);
}

/** Credentials meant for one origin are not sent to another a redirect points at. */
function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower !== 'authorization' && lower !== 'cookie' && lower !== 'proxy-authorization') {
      kept[name] = value;
    }
  }
  return kept;
}

import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { safeRegex } from '../../config/safe-regex.ts';
import { readHealthDocument } from '../health-document.ts';
import type { DependencyStatus, ProbePhases, ProbeResult } from '../observation.ts';
import { boundedText } from './bounded-output.ts';
import { type ExchangeResult, exchange } from './http-exchange.ts';
import {
  compileHop,
  type Hop,
  type HopDefaults,
  hostOf,
  REDIRECT_STATUSES,
  redirectHop,
} from './http-hop.ts';
import { checkHeaders } from './http-request.ts';
import type { BodyPlan, ResponseHead } from './http-response-reader.ts';
import type { HttpProbeSpec } from './http-spec.ts';
import { type HttpExpectations, judgeHttpAnswer } from './http-verdict.ts';
import type { ProbeContext } from './probe-kind.ts';

const MAX_REDIRECTS = 5;
/** application/json, application/health+json, application/vnd.spring-boot.actuator.v3+json. */
const JSON_TYPE = /^[^;]*[/+]json\b/i;

/** Everything prepare can work out once, so a probe run only does I/O. */
export interface HttpCheck {
  expect: HttpExpectations;
  healthDocuments: boolean;
  followRedirects: boolean;
  hops: HopDefaults;
  first: Hop;
}

export function compileHttpCheck(spec: HttpProbeSpec): HttpCheck {
  checkHeaders(spec.headers);
  const url = new URL(spec.url);
  url.hash = '';
  const expect: HttpExpectations = {
    status: spec.expectedStatus === undefined ? undefined : new Set(spec.expectedStatus),
    bodyContains: spec.bodyContains,
    bodyRegex: spec.bodyRegex === undefined ? undefined : safeRegex(spec.bodyRegex),
    maxLatencyMs: spec.maxLatencyMs,
    followRedirects: spec.followRedirects,
  };
  const checksBody = expect.bodyContains !== undefined || expect.bodyRegex !== undefined;
  const healthDocuments = spec.healthDocument === 'auto';
  // Wait for the body only when something reads it; otherwise keep what came with the headers.
  const plan = (head: ResponseHead): BodyPlan => {
    if (spec.followRedirects && REDIRECT_STATUSES.has(head.status))
      return { limit: 0, wait: false };
    const wait = checksBody || (healthDocuments && isJson(head.contentType));
    return { limit: spec.maxBodyBytes, wait };
  };
  // One context per check: building one per connection would reload the CA store every probe.
  const mayUseTls = url.protocol === 'https:' || spec.followRedirects;
  const hops: HopDefaults = {
    secureContext: mayUseTls ? createSecureContext({ ca: readCa(spec.tls.caFile) }) : undefined,
    verify: !spec.tls.insecureSkipVerify,
    serverName: spec.tls.serverName,
    configuredHost: hostOf(url),
    plan,
  };
  const first = compileHop(hops, url, spec.method, spec.headers, spec.body);
  return { expect, healthDocuments, followRedirects: spec.followRedirects, hops, first };
}

function readCa(caFile: string | undefined): Buffer | undefined {
  if (caFile === undefined) return undefined;
  try {
    return readFileSync(caFile);
  } catch (error) {
    throw new Error(`tls.caFile: cannot read ${caFile}: ${(error as Error).message}`);
  }
}

export async function probeHttp(check: HttpCheck, ctx: ProbeContext): Promise<ProbeResult> {
  const startedAt = performance.now();
  const wallStartedAt = Date.now();
  let phases: ProbePhases | undefined;
  let hop = check.first;
  for (let redirects = 0; ; redirects++) {
    const result = await exchange(hop, ctx, wallStartedAt);
    phases = phases === undefined ? result.phases : addPhases(phases, result.phases);
    const head = result.head;
    if (result.error !== undefined || head === undefined) {
      return observe(result, result.error ?? 'no response', phases, ctx);
    }
    const next = check.followRedirects ? redirectHop(check.hops, hop, head) : undefined;
    if (next === undefined) {
      return conclude(check, result, head, phases, ctx, performance.now() - startedAt);
    }
    if (redirects === MAX_REDIRECTS) {
      const error = `stopped after ${MAX_REDIRECTS} redirects (the next was to ${next.url.href})`;
      return observe(result, error, phases, ctx);
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
  const observed = observe(result, error, phases, ctx);
  if (error === undefined) observed.ok = true;
  if (check.healthDocuments && result.bodyComplete && isJson(head.contentType)) {
    const dependencies = dependenciesIn(body(), head.contentType);
    if (dependencies !== undefined) observed.dependencies = dependencies;
  }
  return observed;
}

/** Everything the exchange saw, as an observation; the caller decides whether it is ok. */
function observe(
  result: ExchangeResult,
  error: string | undefined,
  phases: ProbePhases,
  ctx: ProbeContext,
): ProbeResult {
  const observed: ProbeResult = error === undefined ? { ok: false } : { ok: false, error };
  if (result.head !== undefined) observed.status = result.head.status;
  observed.phases = phases;
  if (result.tls !== undefined) observed.tls = result.tls;
  if (result.body.length > 0) {
    observed.output = boundedText(result.body, ctx.maxOutputBytes, !result.bodyComplete);
  }
  return observed;
}

function dependenciesIn(
  body: string,
  contentType: string | undefined,
): DependencyStatus[] | undefined {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return undefined;
  }
  return readHealthDocument(document, contentType);
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_TYPE.test(contentType);
}

/** Like blackbox_exporter, phases add up over redirects. */
function addPhases(total: ProbePhases, hop: ProbePhases): ProbePhases {
  for (const key of Object.keys(hop) as (keyof ProbePhases)[]) {
    total[key] = (total[key] ?? 0) + (hop[key] ?? 0);
  }
  return total;
}

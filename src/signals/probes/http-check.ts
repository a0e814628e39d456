import { readFileSync } from 'node:fs';
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
  MAX_REDIRECTS,
  type RedirectPolicy,
  type RedirectTarget,
  redirectHop,
  redirectTarget,
} from './http-hop.ts';
import { checkHeaders } from './http-request.ts';
import type { BodyPlan, ResponseHead } from './http-response-reader.ts';
import type { HttpProbeSpec } from './http-spec.ts';
import { type HttpExpectations, judgeBody, judgeStatus, statusWarning } from './http-verdict.ts';
import type { Probe, ProbeContext } from './probe-kind.ts';
import { sharedSecureContext } from './tls-context.ts';

/** application/json, application/health+json, application/vnd.spring-boot.actuator.v3+json. */
const JSON_TYPE = /^[^;]*[/+]json\b/i;

/** Everything prepare can work out once, so a probe run only does I/O. */
export interface HttpCheck {
  expect: HttpExpectations;
  healthDocuments: boolean;
  hops: HopDefaults;
  first: Hop;
}

/** followRedirects unset is kubelet's rule; true and false are the explicit overrides. */
function redirectPolicy(followRedirects: boolean | undefined): RedirectPolicy {
  if (followRedirects === undefined) return 'same-host';
  return followRedirects ? 'any-host' : 'none';
}

/** The http kind's prepare, here rather than in http.ts so a probe worker loads it without the schema (zod). */
export function prepareHttpProbe(spec: HttpProbeSpec): Probe {
  const check = compileHttpCheck(spec);
  return (ctx) => probeHttp(check, ctx);
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
  };
  const healthDocuments = spec.healthDocument === 'auto';
  // A redirect that is followed is not read. Any other answer's body is read to its end or to
  // maxBodyBytes, as kubelet reads up to 10 KiB: a body that stalls is what a client would hit.
  const plan = (head: ResponseHead, from: URL): BodyPlan => {
    const target = redirectTarget(hops, from, head);
    if (target !== undefined && 'follow' in target) return { limit: 0, wait: false };
    return { limit: spec.maxBodyBytes, wait: true };
  };
  // One context per CA bundle, shared by the checks that use it (tls-context.ts), made on first
  // use. The CA file is read now, so an unreadable one fails at prepare.
  const ca = readCa(spec.tls.caFile);
  const hops: HopDefaults = {
    secureContext: () => sharedSecureContext(ca),
    verify: !spec.tls.insecureSkipVerify,
    serverName: spec.tls.serverName,
    configuredHost: hostOf(url),
    redirects: redirectPolicy(spec.followRedirects),
    plan,
  };
  const first = compileHop(hops, url, spec.method, spec.headers, spec.body);
  return { expect, healthDocuments, hops, first };
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
    if (head === undefined) {
      return observe(result, after(result.error ?? 'no response', redirects, hop), phases, ctx);
    }
    const target = redirectTarget(check.hops, hop.url, head);
    if (target !== undefined && 'error' in target) {
      return observe(result, after(target.error, redirects, hop), phases, ctx);
    }
    if (target === undefined || 'notFollowed' in target) {
      const answer = { result, head, phases, target, redirects, hop };
      return conclude(check, answer, ctx, performance.now() - startedAt);
    }
    if (redirects === MAX_REDIRECTS) {
      const error = `stopped after ${MAX_REDIRECTS} redirects (the next was to ${target.follow.href})`;
      return observe(result, error, phases, ctx);
    }
    hop = redirectHop(check.hops, hop, head.status, target.follow);
  }
}

/** The answer a probe judges: the first that is not a redirect it follows. */
interface Answer {
  result: ExchangeResult;
  head: ResponseHead;
  phases: ProbePhases;
  target: RedirectTarget | undefined;
  redirects: number;
  hop: Hop;
}

function conclude(
  check: HttpCheck,
  { result, head, phases, target, redirects, hop }: Answer,
  ctx: ProbeContext,
  elapsedMs: number,
): ProbeResult {
  let text: string | undefined;
  const body = (): string => {
    text ??= result.body.toString('utf8');
    return text;
  };
  const notFollowed =
    target !== undefined && 'notFollowed' in target ? target.notFollowed : undefined;
  const refused = judgeStatus(check.expect, head, notFollowed);
  if (refused === undefined && result.error !== undefined) {
    return discard(result, after(result.error, redirects, hop), phases, ctx);
  }
  const error = refused ?? judgeBody(check.expect, body, result.bodyComplete, elapsedMs);
  const observed = observe(result, error && after(error, redirects, hop), phases, ctx);
  if (check.healthDocuments && result.bodyComplete && isJson(head.contentType)) {
    const dependencies = dependenciesIn(body(), head.contentType);
    if (dependencies !== undefined) observed.dependencies = dependencies;
  }
  if (error !== undefined) return observed;
  observed.ok = true;
  const warning = statusWarning(check.expect, head, notFollowed, check.hops.redirects);
  if (warning !== undefined) observed.warning = warning;
  return observed;
}

/**
 * The status passed and the body then failed (stalled to the timeout, broke off, or was not valid
 * HTTP framing): kubelet's ReadAtMost returns an error, and the worker throws the result away. A
 * status that fails is a failure whatever the body does, which kubelet would discard too: the
 * server has already said it is unhealthy.
 */
function discard(
  result: ExchangeResult,
  bodyError: string,
  phases: ProbePhases,
  ctx: ProbeContext,
): ProbeResult {
  const status = result.head?.status;
  const error = `status ${status}, then ${bodyError}: discarded, neither a success nor a failure, as kubelet does`;
  return { ...observe(result, error, phases, ctx), discarded: true };
}

/** A failure after redirects says where it happened. */
function after(error: string, redirects: number, hop: Hop): string {
  if (redirects === 0) return error;
  return `${error} (at ${hop.url.href}, after ${redirects} redirect${redirects === 1 ? '' : 's'})`;
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

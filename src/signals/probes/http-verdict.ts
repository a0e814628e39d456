import type { SafeRegex } from '../../config/safe-regex.ts';
import type { RedirectPolicy } from './http-hop.ts';
import type { ResponseHead } from './http-response-reader.ts';

/** What an answer must satisfy, compiled once per check. */
export interface HttpExpectations {
  /** Undefined means 200-399, as kubelet judges (DoHTTPProbe: a 3xx is a success with a warning). */
  status: ReadonlySet<number> | undefined;
  bodyContains: string | undefined;
  bodyRegex: SafeRegex | undefined;
  maxLatencyMs: number | undefined;
}

export function statusAccepted(expect: HttpExpectations, status: number): boolean {
  return expect.status === undefined ? status >= 200 && status < 400 : expect.status.has(status);
}

/**
 * Why the status fails the check, or undefined when it passes. Pure. `notFollowed` says why a
 * redirect answer is the one judged ("to another host (URL), not followed").
 */
export function judgeStatus(
  expect: HttpExpectations,
  head: ResponseHead,
  notFollowed: string | undefined,
): string | undefined {
  if (statusAccepted(expect, head.status)) return undefined;
  const wanted = expect.status === undefined ? '200-399' : describeSet(expect.status);
  const why = notFollowed === undefined ? '' : ` (redirect ${notFollowed}; see followRedirects)`;
  return `status ${head.status}, expected ${wanted}${why}`;
}

/**
 * What a person should know about a passing status, as kubelet's probe warning says it: a 3xx
 * that passed only because the default counts any 3xx. Undefined when there is nothing to say.
 */
export function statusWarning(
  expect: HttpExpectations,
  head: ResponseHead,
  notFollowed: string | undefined,
  redirects: RedirectPolicy,
): string | undefined {
  if (expect.status !== undefined || head.status < 300 || head.status >= 400) return undefined;
  if (notFollowed === undefined)
    return `status ${head.status} counted as success, as kubelet counts any 3xx`;
  // Not followed for another host is kubelet's own rule; for followRedirects: false, only its count.
  const kubelet = redirects === 'same-host' ? 'as kubelet does' : 'as kubelet counts any 3xx';
  return `${head.status} ${notFollowed}: counted as success, ${kubelet}`;
}

/** Why the body or the time taken fails a check whose status passed, or undefined. Pure. */
export function judgeBody(
  expect: HttpExpectations,
  body: () => string,
  bodyComplete: boolean,
  elapsedMs: number,
): string | undefined {
  const read = bodyComplete ? '' : ' (in the part of the body read)';
  if (expect.bodyContains !== undefined && !body().includes(expect.bodyContains)) {
    return `body does not contain ${JSON.stringify(expect.bodyContains)}${read}`;
  }
  if (expect.bodyRegex !== undefined && !expect.bodyRegex.test(body())) {
    return `body does not match /${expect.bodyRegex.source}/${read}`;
  }
  if (expect.maxLatencyMs !== undefined && elapsedMs > expect.maxLatencyMs) {
    return `took ${Math.round(elapsedMs)} ms, over maxLatencyMs ${expect.maxLatencyMs}`;
  }
  return undefined;
}

function describeSet(codes: ReadonlySet<number>): string {
  const list = [...codes];
  if (list.length === 1) return String(list[0]);
  return `one of ${list.join(', ')}`;
}

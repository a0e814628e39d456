import type { SafeRegex } from '../../config/safe-regex.ts';
import type { ResponseHead } from './http-response-reader.ts';

/** What an answer must satisfy, compiled once per check. */
export interface HttpExpectations {
  /** Undefined means any 2xx. */
  status: ReadonlySet<number> | undefined;
  bodyContains: string | undefined;
  bodyRegex: SafeRegex | undefined;
  maxLatencyMs: number | undefined;
  followRedirects: boolean;
}

export function statusAccepted(expect: HttpExpectations, status: number): boolean {
  return expect.status === undefined ? status >= 200 && status < 300 : expect.status.has(status);
}

/** Why the answer fails the check, or undefined when it passes. Pure. */
export function judgeHttpAnswer(
  expect: HttpExpectations,
  head: ResponseHead,
  body: () => string,
  bodyComplete: boolean,
  elapsedMs: number,
): string | undefined {
  if (!statusAccepted(expect, head.status)) {
    const wanted = expect.status === undefined ? '2xx' : describeSet(expect.status);
    const redirect =
      head.status >= 300 &&
      head.status < 400 &&
      head.location !== undefined &&
      !expect.followRedirects
        ? ` (redirect to ${head.location} not followed; see followRedirects)`
        : '';
    return `status ${head.status}, expected ${wanted}${redirect}`;
  }
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

import type { FastifyReply } from 'fastify';

/**
 * An error answer in RFC 9457's shape (application/problem+json): `title` names the kind of
 * problem, `detail` says what was wrong with this request and what to do. Extra members carry
 * what a program needs (`required` for a 403, `matches` for a 404, `issues` for a 400).
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [member: string]: unknown;
}

export const PROBLEM_TYPE = 'application/problem+json';

/** Titles per status, so every 400 is "Bad request" and a client can switch on `title`. */
const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  413: 'Request body too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  429: 'Too many requests',
  431: 'Request headers too large',
  500: 'Internal error',
  503: 'Unavailable',
  504: 'Timed out',
};

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extra,
  } satisfies Problem;
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply
    .code(status)
    .type(PROBLEM_TYPE)
    .send(problem(status, detail, extra));
}

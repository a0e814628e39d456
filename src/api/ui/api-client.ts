import type { FastifyInstance, FastifyRequest } from 'fastify';
import { API_PREFIX } from '../v1/prefix.ts';

/** An answer of the operator API as the dashboard reads it. */
export interface ApiAnswer<T = unknown> {
  status: number;
  /** The parsed JSON body; for an error, the problem document. */
  body: T;
  text: string;
}

/** What a problem document says, for a page to show. */
export function problemDetail(answer: ApiAnswer): string {
  const body = answer.body as { detail?: unknown } | undefined;
  return typeof body?.detail === 'string' ? body.detail : `HTTP ${answer.status}`;
}

/**
 * The dashboard does everything through the operator API itself, called in-process with the
 * session's token: the same authentication, roles, validation, operator requests and audit rows
 * (with the token's name and the browser's address) as a client with curl gets, and no second
 * implementation of any of it.
 */
export async function callApi<T = unknown>(
  app: FastifyInstance,
  from: FastifyRequest,
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: object,
): Promise<ApiAnswer<T>> {
  const answer = await app.inject({
    method,
    url: `${API_PREFIX}${path}`,
    remoteAddress: from.ip,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  const text = answer.body;
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: answer.statusCode, body: parsed as T, text };
}

import { BoundedOutput } from '../../signals/probes/bounded-output.ts';
import { type UndiciResponse, undici } from '../../support/undici.ts';

export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
}

/** An answer, its body bounded; or no answer at all (refused, reset, cut by the signal). */
export type Answer =
  | { status: number; headers: Record<string, string>; body: string }
  | { error: string };

/**
 * One request and its bounded answer, on a connection of its own (nothing kept open after a
 * run). Redirects are not followed. The step kinds that call an API (http, the pipelines) send
 * through this, so each reads bodies and reports a failed connection the same way.
 */
export async function send(
  request: OutgoingRequest,
  signal: AbortSignal,
  maxBytes: number,
): Promise<Answer> {
  let response: UndiciResponse;
  const { request: call } = await undici();
  try {
    response = await call(request.url, {
      method: request.method as 'GET',
      headers: request.headers,
      body: request.body,
      signal,
      reset: true,
    });
  } catch (err) {
    const why = signal.aborted ? String((signal.reason as Error)?.message) : (err as Error).message;
    return { error: `${request.method} ${request.url.href}: ${why}` };
  }
  const bounded = new BoundedOutput(maxBytes);
  try {
    for await (const chunk of response.body) {
      bounded.push(chunk as Buffer);
      if (bounded.truncated) break; // stop reading: the rest is not kept
    }
  } catch (err) {
    bounded.push(Buffer.from(`\n[body read failed: ${(err as Error).message}]`));
  }
  return {
    status: response.statusCode,
    headers: flatHeaders(response.headers),
    body: bounded.text(),
  };
}

/** An answer as the step's output shows it: status line, headers, body. */
export function dumpAnswer(answer: {
  status: number;
  headers: Record<string, string>;
  body: string;
}): string {
  const head = Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`);
  return [`HTTP ${answer.status}`, ...head, '', answer.body].join('\n');
}

function flatHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../../controller-handle.ts';
import { formatCursor } from '../v1/stream/cursor.ts';

/** How often the store is asked whether anything was recorded, and how often a quiet stream speaks. */
const POLL_MS = 500;
const KEEPALIVE_MS = 15_000;

/**
 * Server-Sent Events that say only "something was recorded" (`changed`, with the stream cursor
 * it moved to): the page then fetches its fragments again, each authorised as any read is. The
 * browser's EventSource cannot send a bearer token, so this is the session's own stream, and it
 * carries no data the fragments do not. It ends with the session, or when the server closes.
 */
export function followChanges(
  ending: Set<() => void>,
  context: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  stillSignedIn: () => boolean,
): void {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  out.write('retry: 2000\n\n');
  let open = true;
  let last = '';
  let quietSince = Date.now();
  const end = () => {
    open = false;
    clearTimeout(timer);
    ending.delete(end);
    out.end();
  };
  // Open streams end when the server closes: a stream is never idle, and would hold close().
  ending.add(end);
  request.raw.on('close', () => {
    open = false;
    clearTimeout(timer);
    ending.delete(end);
  });
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (!open) return;
    if (!stillSignedIn()) return end();
    try {
      const now = formatCursor(await context.store.latestPositions());
      if (now !== last) {
        if (last !== '') out.write(`event: changed\ndata: ${now}\n\n`);
        last = now;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= KEEPALIVE_MS) {
        out.write(': keepalive\n\n');
        quietSince = Date.now();
      }
    } catch (err) {
      context.log.warn({ err }, 'dashboard: cannot read the store for changes; trying again');
    }
    if (open) timer = setTimeout(tick, POLL_MS);
  };
  void tick();
}

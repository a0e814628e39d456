import { z } from 'zod';
import { problems, type RegisterRoutes } from '../route-kit.ts';
import { formatCursor, parseCursor, type StreamCursor } from '../stream/cursor.ts';
import { decisionEvent, journalEvent, mergeByTime, type StreamEvent } from '../stream/events.ts';

interface Batch {
  events: { event: StreamEvent; cursor: StreamCursor }[];
  /** The cursor after everything read, events or not. */
  position: StreamCursor;
  /** A source gave a whole page: read again at once. */
  full: boolean;
}

/** How often a reader looks for what was recorded since, and how much it reads at once. */
const POLL_MS = 250;
const PAGE = 200;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export const registerStream: RegisterRoutes = (app, context) => {
  // Open streams end when the server closes: a stream is never idle, and would hold close().
  const ending = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of ending) end();
  });

  app.get(
    '/stream',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'What happens, live: Server-Sent Events of every decision and runbook step',
        description:
          'Events `decision` (an input, its reasons, incident events, commands) and `step` (a run or step beginning or ending), each with `lines` as mend’s feed prints them. Each event id is a cursor: reconnect with `Last-Event-ID` (or `?after=`) to resume exactly after it. Without one the stream starts now; `?after=0-0` replays from the beginning.',
        tags: ['stream'],
        querystring: z.strictObject({
          after: z
            .string()
            .regex(/^\d{1,15}-\d{1,15}$/, 'a cursor is SEQ-JOURNAL, as an event id gives it')
            .optional()
            .describe('resume after this event id (Last-Event-ID wins when both are given)'),
        }),
        produces: ['text/event-stream'],
        response: { ...problems(400) },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const resumed = parseCursor(typeof header === 'string' ? header : undefined);
      let cursor: StreamCursor =
        resumed ?? parseCursor(request.query.after) ?? (await context.store.latestPositions());
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      // The first line says where the stream stands, so a client knows its cursor before any event.
      out.write(
        `retry: 1000\nid: ${formatCursor(cursor)}\n: mend stream from ${formatCursor(cursor)}\n\n`,
      );
      let open = true;
      const end = () => {
        open = false;
        out.end();
      };
      ending.add(end);
      request.raw.on('close', () => {
        open = false;
      });
      let quietSince = Date.now();
      while (open) {
        let batch: Batch = { events: [], position: cursor, full: false };
        try {
          batch = await readAfter(cursor);
        } catch (err) {
          context.log.warn({ err }, 'API stream: cannot read the store; trying again');
        }
        for (const { event, cursor: after } of batch.events) {
          if (!open) break;
          out.write(
            `id: ${formatCursor(after)}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`,
          );
          quietSince = Date.now();
        }
        // Timers that changed nothing are no events, but the reader moves past them.
        cursor = batch.position;
        if (batch.full) continue;
        if (Date.now() - quietSince >= KEEPALIVE_MS) {
          out.write(': keepalive\n\n');
          quietSince = Date.now();
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      ending.delete(end);
      out.end();
    },
  );

  /** What was recorded after the cursor, in time order, each event with the cursor after it. */
  async function readAfter(from: StreamCursor): Promise<Batch> {
    const [decisions, journal] = await Promise.all([
      context.store.listDecisions({ afterSeq: from.seq, limit: PAGE }),
      context.store.journalAfter(from.journal, PAGE),
    ]);
    type Item = { at: number; seq?: number; journal?: number; event: StreamEvent | undefined };
    const merged = mergeByTime<Item>(
      decisions.map((d) => ({ at: d.at, seq: d.seq, event: decisionEvent(d) })),
      journal.map((j) => ({ at: j.at, journal: j.id, event: journalEvent(j) })),
    );
    const events: Batch['events'] = [];
    let position = from;
    for (const item of merged) {
      position = { seq: item.seq ?? position.seq, journal: item.journal ?? position.journal };
      if (item.event !== undefined) events.push({ event: item.event, cursor: position });
    }
    return { events, position, full: decisions.length === PAGE || journal.length === PAGE };
  }
};

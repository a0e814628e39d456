import { z } from 'zod';
import { AlertIntakeOverloaded } from '../../../decisions/alert-intake.ts';
import { MAX_BATCH_EVENTS, parseCloudEvents } from '../../../signals/sources/cloudevents.ts';
import { sendProblem } from '../../problem.ts';
import { problems, type RegisterRoutes } from '../route-kit.ts';

/** A batch of up to MAX_BATCH_EVENTS events with their data: bounded like an alert delivery. */
export const EVENTS_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

const Delivered = z.strictObject({
  received: z.int().describe('events in the request, every one durably recorded'),
  stale: z
    .int()
    .describe('older than what mend holds for their source and subject: nothing changed'),
  unmatched: z.int().describe('selected by no Service: recorded, listed, not judged'),
  signals: z.int().describe('signals handed to the decision loop, recorded with their decisions'),
});

export const registerEvents: RegisterRoutes = (app, context) => {
  // Scoped: binary mode carries any media type, so this route reads its body as bytes itself.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: EVENTS_BODY_LIMIT_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.post(
      '/events',
      {
        bodyLimit: EVENTS_BODY_LIMIT_BYTES,
        config: { access: { permission: 'events:ingest', action: 'events.ingest' } },
        schema: {
          summary: 'CloudEvents 1.0 receiver (structured, binary and batch mode over HTTP)',
          description: `Structured mode: Content-Type \`application/cloudevents+json\`, the event is the body. Batch mode: \`application/cloudevents-batch+json\`, a JSON array of up to ${MAX_BATCH_EVENTS} events. Binary mode: the attributes in \`ce-*\` headers (\`ce-specversion: 1.0\`, \`ce-id\`, \`ce-source\`, \`ce-type\`, ...), the body is the data. An \`ingest\` token. A Service's \`events\` entries select the events about it; the condition an event is about is its source and subject, resolved by a later event that says so. Answers 200 only once every event, and every signal it makes, is durably recorded; 503 with Retry-After when overloaded. A re-delivery is idempotent.`,
          tags: ['alerts'],
          response: { 200: Delivered, ...problems(400, 415, 503) },
        },
      },
      async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const parsed = parseCloudEvents(request.headers, body);
        if (!parsed.ok) return sendProblem(reply, parsed.status, parsed.error);
        try {
          return await context.ingestEvents(parsed.events);
        } catch (error) {
          if (!(error instanceof AlertIntakeOverloaded)) throw error;
          reply.header('retry-after', String(error.retryAfterSeconds));
          return sendProblem(reply, 503, error.message);
        }
      },
    );
  });
};

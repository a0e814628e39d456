import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../controller-handle.ts';
import {
  type DecodedSpans,
  decodeJsonTraces,
  decodeProtobufTraces,
} from '../signals/sources/otlp-traces.ts';
import { receivedTraces } from '../signals/sources/trace-windows.ts';
import type { Metrics } from '../support/metrics.ts';
import { exportResponse } from './otlp-response.ts';
import { sendProblem } from './problem.ts';

const unzip = promisify(gunzip);

/** An export of a few thousand spans, compressed or not; what it inflates to is bounded too. */
export const OTLP_BODY_LIMIT_BYTES = 4 * 1024 * 1024;
export const OTLP_INFLATED_LIMIT_BYTES = 16 * 1024 * 1024;

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/**
 * The OTLP/HTTP trace receiver at the path the exporters use: `POST /v1/traces` (an SDK's
 * OTEL_EXPORTER_OTLP_ENDPOINT is mend's address). Protobuf or JSON, gzip or not, with an
 * `ingest` token (`OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20mend_...`). Spans are reduced
 * in memory to what `traces` checks judge (src/signals/sources/trace-windows.ts): they are
 * measurements, not records, so nothing is written to the store.
 */
export async function registerOtlp(
  app: FastifyInstance,
  context: ApiContext,
  metrics: Metrics,
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      [PROTOBUF, JSON_TYPE],
      { parseAs: 'buffer', bodyLimit: OTLP_BODY_LIMIT_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.post(
      '/v1/traces',
      {
        bodyLimit: OTLP_BODY_LIMIT_BYTES,
        config: { access: { permission: 'events:ingest', action: 'events.ingest' } },
      },
      async (request, reply) => {
        const json = String(request.headers['content-type'] ?? '').startsWith(JSON_TYPE);
        let body = request.body as Buffer;
        const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
        if (encoding === 'gzip') {
          try {
            body = await unzip(body, { maxOutputLength: OTLP_INFLATED_LIMIT_BYTES });
          } catch (err) {
            const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
            return tooBig
              ? sendProblem(reply, 413, `the body inflates past ${OTLP_INFLATED_LIMIT_BYTES} bytes`)
              : sendProblem(reply, 400, `the body is not gzip: ${(err as Error).message}`);
          }
        } else if (encoding !== 'identity') {
          return sendProblem(reply, 415, `Content-Encoding ${encoding}: send gzip or none`);
        }
        const decoded: DecodedSpans = json ? decodeJsonTraces(body) : decodeProtobufTraces(body);
        if (!decoded.ok) return sendProblem(reply, 400, decoded.error);
        const added = receivedTraces.add(decoded.spans, context.now());
        for (const outcome of ['kept', 'ignored', 'dropped'] as const) {
          if (added[outcome] > 0) metrics.received.inc({ kind: 'span', outcome }, added[outcome]);
        }
        const why = `${added.dropped} span(s) of services past the limit of services kept were dropped`;
        if (added.dropped > 0) context.log.warn(`OTLP: ${why}`);
        reply.header('content-type', json ? JSON_TYPE : PROTOBUF);
        return reply.send(exportResponse(json, added.dropped, why));
      },
    );
  });
}

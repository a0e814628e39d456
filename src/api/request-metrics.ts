import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../support/metrics.ts';

/** Methods named on /metrics as they are; any other a client sends is `other` (bounded labels). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Every answered request on /metrics, by method, route template (`/api/v1/incidents/:id`, never
 * the path a client sent: that would be a series per incident id, or per scanner's guess) and
 * status, with its duration. A request no route matched is `unmatched`.
 */
export function countRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = METHODS.has(request.method) ? request.method : 'other';
    metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
  });
}

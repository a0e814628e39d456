import Fastify, { type FastifyInstance } from 'fastify';
import type { Controller } from '../controller.ts';
import type { Metrics } from '../support/metrics.ts';

export interface ServerDeps {
  controller: Controller;
  metrics: Metrics;
  /** A cheap store health check; throws when the store cannot be used. */
  pingStore: () => Promise<void>;
}

/** More due probes than this waiting for a free slot: the prober is overloaded, /readyz fails. */
const READY_MAX_WAITING = 1000;

/**
 * mend's own HTTP endpoints: liveness, readiness (is mend itself able to do its job?) and
 * Prometheus metrics. The operator API comes in a later issue and lives beside these.
 */
export function createServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({ logger: false });

  app.get('/healthz', async () => ({ status: 'pass' }));

  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, { status: 'pass' | 'fail'; output?: string }> = {};
    try {
      await deps.pingStore();
      deps.metrics.storeUp.set(1);
      checks.store = { status: 'pass' };
    } catch (err) {
      deps.metrics.storeUp.set(0);
      checks.store = { status: 'fail', output: err instanceof Error ? err.message : String(err) };
    }
    const stats = await deps.controller.schedulerStats();
    checks.scheduler =
      stats.waiting > READY_MAX_WAITING
        ? { status: 'fail', output: `${stats.waiting} due probes waiting for a free slot` }
        : { status: 'pass' };
    const pending = deps.controller.pendingSignals();
    checks.signals =
      pending > 0
        ? { status: 'fail', output: `${pending} signal(s) not yet recorded` }
        : { status: 'pass' };
    const ok = Object.values(checks).every((check) => check.status === 'pass');
    reply
      .code(ok ? 200 : 503)
      .type('application/health+json')
      .send({ status: ok ? 'pass' : 'fail', checks });
  });

  app.get('/metrics', async (_request, reply) => {
    await deps.controller.schedulerStats();
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return app;
}

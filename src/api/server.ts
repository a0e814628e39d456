import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiContext, ControllerHandle, Served } from '../controller-handle.ts';
import { collectRoutes } from './close-routes.ts';
import { answerErrorsAsProblems, clientErrorHandler, frameworkErrors } from './errors.ts';
import { countRequests } from './request-metrics.ts';
import { authenticateRequests } from './v1/auth-hook.ts';
import { registerApi } from './v1/plugin.ts';

/** The longest path part (an incident id, a token name): longer is a 414. */
const MAX_PARAM_LENGTH = 200;

/** Request bodies are small JSON documents (an approval, a silence): anything bigger is refused. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** More due probes than this waiting for a free slot: the prober is overloaded, /readyz fails. */
const READY_MAX_WAITING = 1000;

/**
 * mend's HTTP server: liveness, readiness (is mend itself able to do its job?), Prometheus
 * metrics and, given an API context, the operator API under /api/v1.
 */
export async function createServer(
  controller: ControllerHandle,
  api?: ApiContext,
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
  });
  const { metrics } = controller;
  collectRoutes(app);
  countRequests(app, metrics);
  answerErrorsAsProblems(app, api?.log ?? controller.log);
  // JSON only: Fastify would also parse text/plain, and a body the API cannot read is a 415.
  app.removeContentTypeParser('text/plain');
  if (api) {
    authenticateRequests(app, api);
    await registerApi(app, api);
  }

  app.get('/healthz', async () => ({ status: 'pass' }));

  /** Ask the store, and keep mend_store_up saying what it answered. */
  const storeCheck = async (): Promise<{ status: 'pass' | 'fail'; output?: string }> => {
    try {
      await controller.pingStore();
      metrics.storeUp.set(1);
      return { status: 'pass' };
    } catch (err) {
      metrics.storeUp.set(0);
      return { status: 'fail', output: err instanceof Error ? err.message : String(err) };
    }
  };

  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, { status: 'pass' | 'fail'; output?: string }> = {};
    checks.store = await storeCheck();
    const stats = await controller.schedulerStats();
    checks.scheduler =
      stats.waiting > READY_MAX_WAITING
        ? { status: 'fail', output: `${stats.waiting} due probes waiting for a free slot` }
        : { status: 'pass' };
    const pending = controller.pendingSignals();
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
    // Each scrape asks the store itself: the gauge must not wait for someone to call /readyz.
    await storeCheck();
    await controller.schedulerStats();
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return app;
}

/**
 * Whether an address only this host can reach: the operator API's tokens cross the network in
 * clear until mend serves TLS, so it is served on such an address only, unless asked otherwise.
 */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Serve a controller on HOST:PORT; a port that cannot be had is an error that says so. The
 * operator API is served on a loopback address, or anywhere with `insecureApi` (said at start);
 * /healthz, /readyz and /metrics everywhere (a Prometheus on another host scrapes them).
 */
export async function serveApi(
  controller: ControllerHandle,
  listen: { host: string; port: number },
  options: { insecureApi?: boolean } = {},
): Promise<Served> {
  const loopback = isLoopback(listen.host);
  const api = loopback || options.insecureApi ? controller.api : undefined;
  if (controller.api && !api) {
    controller.log.warn(
      `operator API not served on ${listen.host}: it is not a loopback address and mend serves no TLS yet, so tokens would cross the network in clear; pass --insecure-api to serve it anyway (behind a TLS proxy), or listen on 127.0.0.1`,
    );
  } else if (controller.api && !loopback) {
    controller.log.warn(
      `operator API served without TLS on ${listen.host} (--insecure-api): tokens cross the network in clear unless a TLS proxy is in front`,
    );
  }
  const app = await createServer(controller, api);
  await app.listen({ host: listen.host, port: listen.port });
  const address = app.server.address();
  return {
    address:
      typeof address === 'object' && address
        ? `${address.address}:${address.port}`
        : `${listen.host}:${listen.port}`,
    close: () => app.close(),
  };
}

import type { Server as HttpsServer } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiSettings, Config } from '../config/config.ts';
import {
  DEFAULT_LISTEN,
  type ListenAddress,
  parseListenAddress,
} from '../config/listen-address.ts';
import type { ApiContext, ControllerHandle, Served } from '../controller-handle.ts';
import { collectRoutes } from './close-routes.ts';
import { answerErrorsAsProblems, clientErrorHandler, frameworkErrors } from './errors.ts';
import { registerOtlp } from './otlp.ts';
import { countRequests } from './request-metrics.ts';
import { httpsOptions, readServerTls, type ServerTls } from './server-tls.ts';
import { registerDashboard } from './ui/plugin.ts';
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
  tls?: ServerTls,
): Promise<FastifyInstance> {
  // One instance type for both: Fastify's types split on `https`, its routes and hooks do not.
  const app = Fastify({
    ...(tls ? { https: httpsOptions(tls) } : {}),
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
  }) as unknown as FastifyInstance;
  const { metrics } = controller;
  collectRoutes(app);
  countRequests(app, metrics);
  answerErrorsAsProblems(app, api?.log ?? controller.log);
  // JSON only: Fastify would also parse text/plain, and a body the API cannot read is a 415.
  app.removeContentTypeParser('text/plain');
  if (api) {
    authenticateRequests(app, api);
    await registerApi(app, api);
    await registerOtlp(app, api, metrics);
    await registerDashboard(app, api, { secure: tls !== undefined });
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
    const checks: Record<string, { status: 'pass' | 'warn' | 'fail'; output?: string }> = {};
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
    // A permission refused fails it (a heal that needs it would be refused); one not known
    // (the review failed, asked again) warns.
    const access = controller.kubernetesAccess?.();
    if (access) checks.kubernetes = access;
    const ok = Object.values(checks).every((check) => check.status !== 'fail');
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
 * Whether an address only this host can reach: without TLS the operator API's tokens would
 * cross the network in clear, so it is served on such an address only, unless asked otherwise.
 */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Where to listen: `--listen` when given, else Settings `api.listen`, else the default. */
export function listenOf(given: ListenAddress | undefined, settings: ApiSettings | undefined) {
  return given ?? settings?.listen ?? parseListenAddress(DEFAULT_LISTEN)!;
}

/**
 * Serve a controller. The operator API is served over TLS, or on a loopback address, or
 * anywhere with `insecure` (Settings `api.insecure` or `--insecure-api`, said at start);
 * /healthz, /readyz and /metrics everywhere (a Prometheus on another host scrapes them).
 * The certificate is re-read by `reload` (SIGHUP); a pair that does not load keeps the old one.
 */
export async function serveApi(
  controller: ControllerHandle,
  config: Config,
  options: { listen?: ListenAddress; insecureApi?: boolean } = {},
): Promise<Served> {
  const settings = config.settings.api;
  const listen = listenOf(options.listen, settings);
  const tlsSettings = settings?.tls;
  const tls = tlsSettings ? await readServerTls(tlsSettings) : undefined;
  const insecure = options.insecureApi === true || settings?.insecure === true;
  const loopback = isLoopback(listen.host);
  const api = tls || loopback || insecure ? controller.api : undefined;
  if (controller.api && !api) {
    controller.log.warn(
      `operator API not served on ${listen.host}: it is not a loopback address and no TLS is configured, so tokens would cross the network in clear; set Settings api.tls (certFile, keyFile), or api.insecure: true / --insecure-api behind a TLS proxy, or listen on 127.0.0.1`,
    );
  } else if (controller.api && !loopback && !tls) {
    controller.log.warn(
      `operator API served without TLS on ${listen.host} (${options.insecureApi ? '--insecure-api' : 'Settings api.insecure'}): tokens cross the network in clear unless a TLS proxy is in front`,
    );
  }
  const app = await createServer(controller, api, tls);
  await app.listen({ host: listen.host, port: listen.port });
  const address = app.server.address();
  const where =
    typeof address === 'object' && address
      ? `${address.address}:${address.port}`
      : `${listen.host}:${listen.port}`;
  let served = tlsSettings;
  return {
    address: `${tls ? 'https' : 'http'}://${where}`,
    close: () => app.close(),
    async reload(next) {
      const wanted = next.settings.api?.tls;
      if (Boolean(wanted) !== Boolean(served) || listenChanged(listen, next, options.listen)) {
        controller.log.warn(
          'Settings api changed its address or turned TLS on or off: that takes a restart; the server keeps serving as it started',
        );
      }
      if (!served || !wanted) return;
      try {
        const fresh = await readServerTls(wanted);
        (app.server as unknown as HttpsServer).setSecureContext(httpsOptions(fresh));
        served = wanted;
        controller.log.info(`TLS certificate reloaded from ${wanted.certFile}`);
      } catch (err) {
        controller.log.error(
          `TLS certificate not reloaded, the previous one is still served: ${(err as Error).message}`,
        );
      }
    },
  };
}

function listenChanged(current: ListenAddress, next: Config, given: ListenAddress | undefined) {
  const now = listenOf(given, next.settings.api);
  return now.host !== current.host || (now.port !== current.port && current.port !== 0);
}

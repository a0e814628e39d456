import { createServer } from '../api/server.ts';
import { compactHeap } from '../compact-heap.ts';
import type { Config } from '../config/config.ts';
import { formatErrors } from '../config/config-error.ts';
import { loadConfig } from '../config/load.ts';
import { Controller } from '../controller.ts';
import { routeActions } from '../decisions/action-router.ts';
import { DecisionLoop } from '../decisions/decision-loop.ts';
import { runbookNotify } from '../decisions/runbook-notify.ts';
import type { Logger } from '../log.ts';
import { createMetrics } from '../metrics.ts';
import { checkNotifierSecrets } from '../notify/check-secrets.ts';
import { createNotifierPort } from '../notify/notifier-port.ts';
import { createRunbookExecutor } from '../runbooks/executor.ts';
import { openStore } from '../store/open.ts';
import { listenAddress } from './options.ts';
import { startupSummary } from './run-summary.ts';

export interface StartOptions {
  config: string[];
  db: string;
  listen: string;
  workers: number;
  maxInFlight: number;
  log: Logger;
}

export interface RunningMend {
  controller: Controller;
  /** Re-read the config from the same paths; a bad config is rejected and the old one kept. */
  reload(): Promise<boolean>;
  stop(deadlineMs: number): Promise<void>;
}

/** Thrown for a failure to start that the user can fix; the message says how. */
export class StartError extends Error {}

/** Everything `mend run` does between parsing flags and handling process signals. */
export async function startMend(options: StartOptions): Promise<RunningMend> {
  const { log } = options;
  const loaded = await loadConfig(options.config);
  if (!loaded.config) throw new StartError(formatErrors(loaded.errors, loaded.moreErrors));
  for (const note of loaded.notes) log.info(`config: ${note}`);
  compactHeap();
  const listen = listenAddress(options.listen);
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore({ path: options.db });
  } catch (err) {
    throw new StartError(err instanceof Error ? err.message : String(err));
  }
  const metrics = createMetrics();
  let config = loaded.config;
  for (const problem of await checkNotifierSecrets(config.notifiers, { env: process.env })) {
    log.warn(`notifier secret not readable now (pages through it will fail): ${problem}`);
  }
  const notifiers = createNotifierPort({ config: () => config, store, log });
  const runbooks = createRunbookExecutor({
    config: () => config,
    store,
    log,
    notify: runbookNotify(notifiers),
  });
  let decisions: DecisionLoop;
  try {
    decisions = await DecisionLoop.open({
      config,
      store,
      actions: routeActions({ heal: runbooks, notify: notifiers }),
      log,
    });
  } catch (err) {
    await store.close();
    throw new StartError(
      `cannot rebuild the decision state from ${options.db}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const controller = new Controller({
    config: loaded.config,
    consumer: decisions,
    firingSince: (service, fingerprint) => decisions.firingSince(service, fingerprint),
    log,
    metrics,
    options: { workers: options.workers, maxInFlight: options.maxInFlight },
  });
  const server = createServer({ controller, metrics, pingStore: () => store.ping() });
  try {
    await server.listen({ host: listen.host, port: listen.port });
  } catch (err) {
    await decisions.stop();
    await store.close();
    throw new StartError(
      `cannot listen on ${options.listen}: ${(err as Error).message}; pass --listen HOST:PORT`,
    );
  }
  const address = server.server.address();
  const listening =
    typeof address === 'object' && address ? `${address.address}:${address.port}` : options.listen;
  controller.start();
  log.info(
    startupSummary({
      config: loaded.config,
      db: options.db,
      listen: listening,
      workers: options.workers,
    }),
  );

  return {
    controller,
    async reload() {
      let next: Awaited<ReturnType<typeof loadConfig>>;
      try {
        next = await loadConfig(options.config);
      } catch (err) {
        // The loader reports config problems as errors; this is a bug in it, and still no
        // reason to stop a running controller.
        metrics.configReloads.inc({ result: 'failure' });
        log.error(`config reload failed (${String(err)}); the previous config keeps running`);
        return false;
      }
      if (!next.config) {
        metrics.configReloads.inc({ result: 'failure' });
        log.error(
          `config reload rejected (${next.errors.length + next.moreErrors} error(s)); the previous config keeps running:\n${formatErrors(next.errors, next.moreErrors)}`,
        );
        return false;
      }
      compactHeap();
      config = next.config;
      controller.reload(next.config);
      await decisions.reload(next.config);
      metrics.configReloads.inc({ result: 'success' });
      log.info(`config reloaded: ${describe(next.config)}`);
      return true;
    },
    async stop(deadlineMs) {
      try {
        await controller.stop(deadlineMs);
        // Steps in flight are cut; their journals stay, and the next start resumes them.
        await runbooks.stop();
        await decisions.stop();
      } finally {
        await server.close();
        await store.close();
      }
    },
  };
}

function describe(config: Config): string {
  const checks = config.services.reduce((n, s) => n + s.checks.length, 0);
  return `${config.services.length} services, ${checks} checks`;
}

import type { Config } from './config/config.ts';
import { formatErrors } from './config/config-error.ts';
import type { ControllerHandle, Served } from './controller-handle.ts';
import { routeActions } from './decisions/action-router.ts';
import { AlertIntake } from './decisions/alert-intake.ts';
import { DecisionLoop } from './decisions/decision-loop.ts';
import { engineFigures } from './decisions/decision-metrics.ts';
import { ProbeCursorKeeper } from './decisions/probe-cursors.ts';
import { countReceived } from './decisions/received-metrics.ts';
import { loadMendConfig } from './documents.ts';
import { AccessCheck } from './kubernetes/access/access-check.ts';
import { checkNotifierSecrets } from './notify/check-secrets.ts';
import { createNotifierPort } from './notify/notifier-port.ts';
import { createEngine, type EngineState } from './policy/index.ts';
import { ReplicaGroup } from './replicas/replica-group.ts';
import {
  electionOf,
  replicaMember,
  replicaSettingsOf,
  statusOf,
} from './replicas/replica-setup.ts';
import { createRunbookExecutor } from './runbooks/executor.ts';
import { configAccess } from './runbooks/kubernetes-access.ts';
import { Prober } from './signals/prober.ts';
import { PROMETHEUS_SOURCE } from './signals/probes/prometheus.ts';
import { KUBERNETES_SOURCE, KubernetesWatchSource } from './signals/sources/kubernetes-watch.ts';
import { startupSummary } from './startup-summary.ts';
import type { Fence, KyselyStore } from './store/kysely-store.ts';
import { lockStore, openKyselyStore, storeFilesOpenToOthers } from './store/open.ts';
import { storeName } from './store/postgres-url.ts';
import type { Store } from './store/store.ts';
import type { StoreLock } from './store/store-lock.ts';
import { watchStoreOutages } from './store-watch.ts';
import { compactHeap } from './support/compact-heap.ts';
import { LINES, type Logger } from './support/log.ts';
import { collectProcessMetrics, createMetrics } from './support/metrics.ts';
import { StartError } from './support/start-error.ts';

export interface ControllerOptions {
  /** Config files and folders. */
  config: string[];
  /** The store: a SQLite file. */
  db: string;
  /** A cap on the store file's size: past it, the store is full (as on a full volume). */
  dbMaxSizeBytes?: number;
  /**
   * The store's runner lock, when the caller took it already (the demo, before it moves the last
   * run's store aside); the caller releases it. Without it, the controller takes it before it
   * opens the store and releases it after closing it.
   */
  lock?: StoreLock;
  /**
   * Run as one of several replicas on a PostgreSQL store (`--replica`; or Settings
   * replicas.enabled): docs/replicas.md.
   */
  replica?: boolean;
  /** Probe worker threads (0: probe in the main thread); unset: as the config's probe rate needs. */
  workers?: number | undefined;
  /** Probes running at once, over all workers. */
  maxInFlight: number;
  log: Logger;
  /**
   * Serve the controller (the HTTP API, /readyz, /metrics): called once the decision state is
   * rebuilt and before probing starts, so a port that is taken fails the start before any probe.
   */
  serve?: (controller: ControllerHandle, config: Config) => Promise<Served>;
}

export interface RunningController extends ControllerHandle {
  readonly config: Config;
  readonly prober: Prober;
  /** Where its server listens, with the scheme (`http://127.0.0.1:9797`); absent without one. */
  readonly address: string | undefined;
  /** Re-read the config from the same paths; a bad config is rejected and the old one kept. */
  reload(): Promise<boolean>;
  /** Stop probing, finish the work in flight, record what is left, close the store. */
  stop(deadlineMs: number): Promise<void>;
}

/**
 * mend's shell, assembled in the order data flows, started, and stopped in reverse:
 *
 *   config -> runner lock -> store (watched for outages) -> notifiers, runbook executor (the
 *   actions) -> decision loop (records every input and decision, then dispatches) -> prober
 *   (probes -> detector -> signals) -> serve.
 *
 * Everything here is wiring; each part has its own file and tests.
 */
export async function startController(options: ControllerOptions): Promise<RunningController> {
  const { log } = options;
  let config = await loadOrFail(options.config, log);
  compactHeap();
  const replicas = replicaSettingsOf(options.replica, config);
  const lock = options.lock ?? (await lockOrFail(options.db, replicas !== undefined));
  const release = options.lock === undefined ? () => lock.release() : async () => {};
  let opened: KyselyStore;
  try {
    opened = await openOrFail(options.db, options.dbMaxSizeBytes);
  } catch (err) {
    await release();
    throw err;
  }
  warnOpenToOthers(options.db, log);
  const metrics = createMetrics();
  collectProcessMetrics(metrics);
  for (const problem of await checkNotifierSecrets(config.notifiers, process.env)) {
    log.warn(`notifier secret not readable now (pages through it will fail): ${problem}`);
  }

  // A leader that lost its lease stops (once, however it learnt: its renewal or a refused write).
  let steppingDown = false;
  const stepDown = (reason: string) => {
    if (steppingDown) return;
    steppingDown = true;
    stopFor(log, `${reason}; stopping (a supervisor restarts it as a follower)`);
  };
  // A replica records decisions under the epoch of the lease it won: none (-1) until it wins,
  // so a follower cannot record a decision, dispatch or journal, even by mistake.
  let epoch = -1;
  const fence: Fence = {
    get epoch() {
      return epoch;
    },
    refused: (error) => {
      metrics.fencedWrites.inc();
      log.error(error.message);
      stepDown('this replica lost the leader lease');
    },
  };

  // Assigned below; the watch reads them only once the controller runs.
  let prober: Prober | undefined;
  let decisions: DecisionLoop | undefined;
  let kubernetes: KubernetesWatchSource | undefined;
  const held = () => ({
    signals: (prober?.pendingSignals() ?? 0) + (kubernetes?.pendingSignals() ?? 0),
    outcomes: decisions?.unrecordedOutcomes() ?? 0,
  });
  const watch = watchStoreOutages({
    store: replicas === undefined ? opened : opened.fenced(fence),
    path: storeName(options.db),
    lock,
    config: () => config,
    log,
    metrics,
    held,
    resume: async () => decisions?.resume(),
    expire: (reason) => stopFor(log, `${reason}; stopping`),
  });
  const { store } = watch;
  const notifiers = createNotifierPort({ config: () => config, store, log, metrics });
  // The Kubernetes preflight: every permission the config needs, asked at start and on reload.
  const access = new AccessCheck({ log });
  const reviewAccess = (of: Config) => {
    const { permissions, unresolved } = configAccess(of);
    for (const step of unresolved) {
      log.info(`kubernetes: checked at run time, where it acts is known then: ${step}`);
    }
    void access.review(permissions);
  };
  reviewAccess(config);
  const runbooks = createRunbookExecutor({ config: () => config, store, log, metrics, access });
  const startDeciding = async (): Promise<DecisionLoop> => {
    const loop = await openDecisions({
      config,
      store,
      log,
      metrics,
      actions: routeActions({ heal: runbooks, notify: notifiers }),
      db: storeName(options.db),
    });
    decisions = loop;
    metrics.readEngine(() => engineFigures(loop.state, Date.now()));
    return loop;
  };

  const member = replicaMember(lock.owner);
  const election =
    replicas === undefined
      ? undefined
      : await electionOf(replicas, opened.replicas(), member.id).catch(async (err: unknown) => {
          await opened.close().catch(() => {});
          await release();
          throw new StartError(
            `cannot elect by the Kubernetes Lease of Settings replicas.kubernetesLease: ${err instanceof Error ? err.message : String(err)}`,
          );
        });
  const group =
    replicas === undefined
      ? undefined
      : new ReplicaGroup({
          store: opened.replicas(),
          ...(election !== undefined ? { election } : {}),
          member,
          leaseMs: replicas.leaseMs,
          log,
          config: () => config,
          async lead(leadership) {
            epoch = leadership.epoch;
            metrics.replicaLeader.set(leadership.epoch);
            const loop = await startDeciding();
            // The workloads' watches are the leader's (they are not shared like the checks);
            // at join the source does not exist yet, and starts with the rest below.
            kubernetes?.start();
            return loop;
          },
          deposed: (reason) => {
            epoch = -1;
            metrics.replicaLeader.set(0);
            stepDown(reason);
          },
          reshare: (share) => prober?.reload(share),
        });
  try {
    if (group === undefined) await startDeciding();
    else await group.join();
  } catch (err) {
    await opened.close().catch(() => {});
    await release();
    if (err instanceof StartError) throw err;
    throw new StartError(
      `cannot join the replicas on ${storeName(options.db)}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const firingLoop = () =>
    group === undefined || group.leading !== undefined ? decisions : undefined;
  // A follower's views of the engine: the state before any input, for the config now.
  let idle: { config: Config; state: EngineState } | undefined;
  const idleState = () => {
    if (idle?.config !== config) idle = { config, state: createEngine(config).initialState() };
    return idle.state;
  };

  const kept = await store.listProbeCursors().catch(async (err: unknown) => {
    await decisions?.stop();
    await group?.leave();
    await release();
    throw err;
  });
  const cursors = new ProbeCursorKeeper({ store, log, kept });
  const route = group?.route ?? {
    consume: (signal: Parameters<DecisionLoop['consume']>[0]) => decisions!.consume(signal),
  };
  const probing = new Prober({
    config: group?.share() ?? config,
    cursors: new Map(kept.map(({ check, cursor }) => [check, cursor])),
    consumer: route,
    firingSince: (service, fingerprint) =>
      firingLoop()?.firingSince(service, fingerprint) ?? group?.firingSince(service, fingerprint),
    firingOf: (service, check) =>
      firingLoop()?.firingOf(service, check, PROMETHEUS_SOURCE) ??
      group?.firingOf(service, check, PROMETHEUS_SOURCE) ??
      [],
    log,
    metrics,
    options: { workers: options.workers, maxInFlight: options.maxInFlight },
    // Checks that are not probed are worse than no mend: say why and stop cleanly, so every
    // signal and decision already taken is recorded, and a supervisor restarts mend.
    onFatal: (error) => stopFor(log, `${error.message}; stopping`),
  });
  prober = probing;
  probing.onOutcomes((outcomes) => cursors.note(outcomes));
  // Services with kubernetes.watch: their workloads watched (list + watch), conditions as signals.
  // A follower never starts it: the leader watches (see `lead` above).
  const watches = new KubernetesWatchSource({
    config,
    consumer: route,
    log,
    metrics,
    firingFrom: (service) => firingLoop()?.firingFrom(service, KUBERNETES_SOURCE) ?? [],
  });
  kubernetes = watches;

  const alerts = new AlertIntake({
    store,
    consume: (signal) => route.consume(signal),
    firingSince: (service, fingerprint) =>
      firingLoop()?.firingSince(service, fingerprint) ?? group?.firingSince(service, fingerprint),
    config: () => config,
    now: Date.now,
  });

  const handle: ControllerHandle = {
    metrics,
    log,
    api: {
      store,
      log,
      now: Date.now,
      config: () => config,
      state: () => firingLoop()?.state ?? idleState(),
      checks: () => probing.checkStates(),
      async request(request, by) {
        const { id } = await store.addOperatorRequest(request, by);
        const loop = firingLoop();
        if (loop !== undefined) await loop.takeOperatorRequests();
        // A follower records the request; the leader takes it within its poll.
        const settled =
          loop !== undefined ? await store.getOperatorRequest(id) : await settledRequest(store, id);
        if (settled === undefined)
          throw new Error(`operator request ${id} vanished from the store`);
        return settled;
      },
      ingestAlerts: (payload) => countReceived(metrics, 'alert', alerts.accept(payload)),
      ingestEvents: (events) => countReceived(metrics, 'event', alerts.acceptEvents(events)),
      status: () => statusOf(group, opened, lock.owner.pid),
    },
    pingStore: () => watch.ping(),
    schedulerStats: () => probing.schedulerStats(),
    pendingSignals: () => probing.pendingSignals() + watches.pendingSignals(),
    kubernetesAccess: () => (access.active ? access.report() : undefined),
  };
  let served: Served | undefined;
  try {
    served = await options.serve?.(handle, config);
  } catch (err) {
    // The prober's worker threads exist from its construction: left running they keep the
    // process alive after the start has failed and said why.
    await probing.stop(0).catch(() => {});
    await decisions?.stop();
    await group?.leave();
    await store.close();
    await release();
    throw err;
  }
  if (served !== undefined) group?.serving(served.address);

  watch.start();
  cursors.start();
  probing.start();
  if (group === undefined || group.leading !== undefined) watches.start();
  group?.start();
  log.info(LINES, startupSummaryOf(config, options, served, group, probing.workers));

  return {
    ...handle,
    get config() {
      return config;
    },
    prober: probing,
    address: served?.address,
    async reload() {
      let next: Awaited<ReturnType<typeof loadMendConfig>>;
      try {
        next = await loadMendConfig(options.config);
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
      for (const note of next.notes) log.info(`config: ${note}`);
      compactHeap();
      config = next.config;
      probing.reload(group?.share() ?? config);
      watches.reload(config);
      reviewAccess(config);
      await decisions?.reload(config);
      await served?.reload?.(config);
      metrics.configReloads.inc({ result: 'success' });
      log.info(`config reloaded: ${describe(config)}`);
      return true;
    },
    async stop(deadlineMs) {
      // Every part is stopped even when one before it failed: a part left running keeps the
      // process alive and calls a closed store.
      const deadline = Date.now() + deadlineMs;
      const failures: string[] = [];
      const part = async (what: string, stop: () => Promise<unknown>) => {
        try {
          await stop();
        } catch (err) {
          failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
        }
      };
      watch.stopping();
      // First, so no request waits on a part that stopped under it.
      await part('server', async () => served?.close());
      try {
        // While the store cannot record, waiting for it to take the held signals is waiting for
        // nothing (it would have to recover in these seconds): a second for the probes in flight.
        await probing.stop(watch.down ? Math.min(deadlineMs, OUTAGE_STOP_MS) : deadlineMs);
      } catch (err) {
        // Signals left unrecorded are said by the one line below, with the rest.
        if (probing.pendingSignals() === 0) failures.push(`probing: ${(err as Error).message}`);
      }
      await part('kubernetes watches', () =>
        watches.stop(watch.down ? Math.min(deadlineMs, OUTAGE_STOP_MS) : deadlineMs),
      );
      await part('probe cursors', () => cursors.stop());
      await part('inbox', async () => group?.stopReading());
      // Steps in flight are cut; their journals stay, and the next start resumes them.
      await part('runbooks', () => runbooks.stop());
      access.stop();
      await part('decisions', async () => decisions?.stop());
      // After the decisions: the lease is let go once this replica can no longer act, so the
      // next leader takes over now (and resumes the runs cut above), not a lease later.
      await part('replica', async () => group?.leave());
      const lost = await watch.finish(held(), deadline);
      await part('store', () => store.close());
      await part('lock', release);
      if (lost !== undefined || failures.length > 0) {
        throw new Error([...(lost ? [lost] : []), ...failures].join('; '));
      }
    },
  };
}

/** How long a follower's API waits for the leader to take an operator request it recorded. */
const FOLLOWER_REQUEST_WAIT_MS = 5000;

async function settledRequest(store: Store, id: number) {
  const until = Date.now() + FOLLOWER_REQUEST_WAIT_MS;
  for (;;) {
    const request = await store.getOperatorRequest(id);
    if (request === undefined || request.status !== 'pending' || Date.now() > until) return request;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How long a stop during a store outage waits for probes in flight and the held signals. */
const OUTAGE_STOP_MS = 1000;

/** Something mend cannot go on without: say why and stop as on SIGTERM, exiting non-zero. */
function stopFor(log: Logger, why: string): void {
  log.fatal(why);
  process.exitCode = 1;
  process.kill(process.pid, 'SIGTERM');
}

async function loadOrFail(paths: string[], log: Logger): Promise<Config> {
  const loaded = await loadMendConfig(paths);
  if (!loaded.config) throw new StartError(formatErrors(loaded.errors, loaded.moreErrors));
  for (const note of loaded.notes) log.info(`config: ${note}`);
  return loaded.config;
}

/** Files mend created are 0600; older or hand-made ones are left alone, and said. */
function warnOpenToOthers(db: string, log: Logger): void {
  const open = storeFilesOpenToOthers(db);
  if (open.length === 0) return;
  log.warn(
    `store files that others than their owner can read or write: ${open.join(', ')}; they hold command output and evidence: chmod 600 them unless that is on purpose (mend creates its files 0600)`,
  );
}

async function lockOrFail(path: string, replica: boolean): Promise<StoreLock> {
  try {
    return await lockStore({ path, replica });
  } catch (err) {
    throw new StartError(err instanceof Error ? err.message : String(err));
  }
}

async function openOrFail(path: string, maxSizeBytes: number | undefined): Promise<KyselyStore> {
  try {
    return await openKyselyStore({
      path,
      ...(maxSizeBytes !== undefined ? { maxSizeBytes } : {}),
    });
  } catch (err) {
    throw new StartError(err instanceof Error ? err.message : String(err));
  }
}

async function openDecisions(
  options: Parameters<typeof DecisionLoop.open>[0] & { store: Store; db: string },
): Promise<DecisionLoop> {
  try {
    return await DecisionLoop.open(options);
  } catch (err) {
    throw new StartError(
      `cannot rebuild the decision state from ${options.db}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function startupSummaryOf(
  config: Config,
  options: ControllerOptions,
  served: Served | undefined,
  group: ReplicaGroup | undefined,
  workers: number,
) {
  const share = group?.share();
  return startupSummary({
    config,
    db: storeName(options.db),
    listen: served?.address ?? 'nowhere (no server)',
    workers,
    ...(group !== undefined && share !== undefined
      ? {
          replica: {
            id: group.id,
            epoch: group.leading?.epoch,
            checks: share.services.reduce((n, s) => n + s.checks.length, 0),
          },
        }
      : {}),
  });
}

function describe(config: Config): string {
  const checks = config.services.reduce((n, s) => n + s.checks.length, 0);
  return `${config.services.length} services, ${checks} checks`;
}

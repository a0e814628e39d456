import { resolve } from 'node:path';
import { Option } from '@commander-js/extra-typings';
import type { DemoWorld } from '../../demo/world.ts';
import { isPostgresUrl } from '../../store/postgres-url.ts';
import { terminalBlock } from '../../support/terminal-text.ts';
import { EXIT_FAILURE } from '../exit-codes.ts';
import { listenAddress, positiveInt } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

/** The demo's store by default; the Kubernetes demo's beside it, so both can run at once. */
const DEFAULT_DB = { processes: '.mend/demo.db', kubernetes: '.mend/demo-kubernetes.db' };

/** Where the Kubernetes demo writes its kubeconfigs and request log: beside its store. */
const besideStore = (db: string) => (db.endsWith('.db') ? db.slice(0, -3) : db);

/**
 * The dashboard's address and a fresh viewer token, so a new user opens it at once. The token
 * goes to stdout itself: mend's log cuts tokens out of every line it prints.
 */
async function announceDashboard(
  mend: { address: string | undefined; api?: { store: import('../../store/store.ts').Store } },
  say: (line: string) => void,
): Promise<void> {
  if (mend.address === undefined || mend.api === undefined) return;
  const { createDemoViewerToken } = await import('../../demo/viewer-token.ts');
  try {
    const token = await createDemoViewerToken(mend.api.store, Date.now());
    process.stdout.write(
      `\n  dashboard: ${mend.address}/\n  sign in with this viewer token (it reads everything, changes nothing):\n  ${token}\n\n`,
    );
  } catch (err) {
    say(`no viewer token for the dashboard: ${(err as Error).message}`);
  }
}

export const registerDemo: RegisterCommand = (program) => {
  program
    .command('demo')
    .description(
      'Launch demo services on loopback, run mend on examples/demo/, and inject faults on a schedule. With --kubernetes: a simulated cluster and examples/kubernetes/demo/.',
    )
    .option(
      '--kubernetes',
      'the Kubernetes demo: a simulated cluster with a small shop (prints its export KUBECONFIG line), mend on examples/kubernetes/demo/, four faults on the cluster timeline',
    )
    .option(
      '--db <path>',
      `SQLite store file, fresh each run (the last run's is kept as NAME.previous.db); default ${DEFAULT_DB.processes}, with --kubernetes ${DEFAULT_DB.kubernetes}`,
    )
    .addOption(
      new Option(
        '--listen <host:port>',
        'address for /healthz, /readyz, /metrics and the API; default: Settings api.listen, else 127.0.0.1:9797',
      ).argParser(listenAddress),
    )
    .addOption(
      new Option('--duration <seconds>', 'stop after this long (0: run until Ctrl-C)')
        .argParser(positiveInt('--duration'))
        .default(0),
    )
    .option('--no-faults', 'do not inject faults')
    .action(async (options) => {
      const [{ freshStore }, { lockStore, openStore }, { createLogger }, run] = await Promise.all([
        import('../../demo/fresh-store.ts'),
        import('../../store/open.ts'),
        import('../../support/log.ts'),
        import('../run-controller.ts'),
      ]);
      const { handleProcessSignals, serveOn, startOrReport } = run;
      const db = options.db ?? DEFAULT_DB[options.kubernetes ? 'kubernetes' : 'processes'];
      // The demo is for people: readable lines even through a pipe (mend run keeps JSON there).
      const log = createLogger({ pretty: true });
      const say = (line: string) => log.info(`demo: ${line}`);
      const startedAt = Date.now();
      const fail = (err: unknown) => {
        process.stderr.write(`mend demo: ${terminalBlock((err as Error).message)}\n`);
        process.exitCode = EXIT_FAILURE;
      };
      if (isPostgresUrl(db)) {
        // The demo moves the last run's file aside to start fresh: a shared database is not its to clear.
        fail(
          new Error(
            'the demo runs on an SQLite file of its own: give --db a file path, or use `mend run` with PostgreSQL',
          ),
        );
        return;
      }
      // Taken before the last run's store is moved aside: a demo already running keeps its own.
      let lock: Awaited<ReturnType<typeof lockStore>>;
      try {
        lock = await lockStore({ path: db });
      } catch (err) {
        fail(err);
        return;
      }
      const kept = await freshStore(db);
      if (kept) say(`the last run's record is kept in ${kept}`);
      let world: DemoWorld;
      try {
        world = options.kubernetes
          ? await (await import('../../demo/kubernetes-world.ts')).startKubernetesWorld(
              say,
              resolve(besideStore(db)),
            )
          : await (await import('../../demo/process-world.ts')).startProcessWorld(say);
      } catch (err) {
        fail(err);
        await lock.release();
        return;
      }
      const mend = await startOrReport({
        config: world.config,
        db,
        lock,
        workers: 1,
        maxInFlight: 100,
        log,
        serve: serveOn(options.listen ? { listen: options.listen } : {}),
      });
      if (!mend) {
        await world.stop();
        await lock.release();
        return;
      }
      await announceDashboard(mend, (line) => say(line));
      if (world.notes.length > 0) process.stdout.write(`\n  ${world.notes.join('\n  ')}\n\n`);
      const stopFaults = options.faults ? world.startFaults() : () => {};
      handleProcessSignals(mend, log, 5000, {
        beforeStop: async () => stopFaults(),
        afterStop: async () => {
          await world.stop();
          try {
            const store = await openStore({ path: db });
            try {
              process.stdout.write(
                `\nincidents during this demo:\n${await world.summary(store, startedAt)}`,
              );
            } finally {
              await store.close();
            }
          } finally {
            await lock.release();
          }
        },
      });
      if (options.duration > 0) {
        setTimeout(() => process.kill(process.pid, 'SIGTERM'), options.duration * 1000).unref();
      }
    });
};

import { fileURLToPath } from 'node:url';
import { Option } from '@commander-js/extra-typings';
import { isPostgresUrl } from '../../store/postgres-url.ts';
import { terminalBlock } from '../../support/terminal-text.ts';
import { EXIT_FAILURE } from '../exit-codes.ts';
import { listenAddress, positiveInt } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

// The demo's config: its services and policies, the restart runbook and the pager notifier.
const CONFIG = [
  fileURLToPath(new URL('../../../examples/demo/', import.meta.url)),
  fileURLToPath(new URL('../../../examples/runbooks/restart.yaml', import.meta.url)),
  fileURLToPath(new URL('../../../examples/notifiers/notifiers.yaml', import.meta.url)),
];

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
      'Launch demo services on loopback, run mend on examples/demo/, and inject faults on a schedule.',
    )
    .option(
      '--db <path>',
      "SQLite store file, fresh each run (the last run's is kept as NAME.previous.db)",
      '.mend/demo.db',
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
      const [
        { demoFaults, scheduleFaults },
        { freshStore },
        { demoSummary },
        { PORTS, startDemoSystem },
        { lockStore, openStore },
        { createLogger },
        { handleProcessSignals, serveOn, startOrReport },
      ] = await Promise.all([
        import('../../demo/faults.ts'),
        import('../../demo/fresh-store.ts'),
        import('../../demo/summary.ts'),
        import('../../demo/system.ts'),
        import('../../store/open.ts'),
        import('../../support/log.ts'),
        import('../run-controller.ts'),
      ]);
      // The demo is for people: readable lines even through a pipe (mend run keeps JSON there).
      const log = createLogger({ pretty: true });
      const say = (line: string) => log.info(`demo: ${line}`);
      const startedAt = Date.now();
      const fail = (err: unknown) => {
        process.stderr.write(`mend demo: ${terminalBlock((err as Error).message)}\n`);
        process.exitCode = EXIT_FAILURE;
      };
      if (isPostgresUrl(options.db)) {
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
        lock = await lockStore({ path: options.db });
      } catch (err) {
        fail(err);
        return;
      }
      const kept = await freshStore(options.db);
      if (kept) say(`the last run's record is kept in ${kept}`);
      let system: Awaited<ReturnType<typeof startDemoSystem>>;
      try {
        system = await startDemoSystem(say);
      } catch (err) {
        fail(err);
        await lock.release();
        return;
      }
      const mend = await startOrReport({
        config: CONFIG,
        db: options.db,
        lock,
        workers: 1,
        maxInFlight: 100,
        log,
        serve: serveOn(options.listen ? { listen: options.listen } : {}),
      });
      if (!mend) {
        await system.stop();
        await lock.release();
        return;
      }
      await announceDashboard(mend, (line) => say(line));
      const stopFaults = options.faults
        ? scheduleFaults(demoFaults(system.supervisor, PORTS), say)
        : () => {};
      handleProcessSignals(mend, log, 5000, {
        beforeStop: async () => stopFaults(),
        afterStop: async () => {
          await system.stop();
          try {
            const store = await openStore({ path: options.db });
            try {
              process.stdout.write(
                `\nincidents during this demo:\n${await demoSummary(store, startedAt)}`,
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

import { Option } from '@commander-js/extra-typings';
import { CONTROLLER_DEFAULTS } from '../../controller.ts';
import { createLogger, type Logger } from '../../support/log.ts';
import { EXIT_FAILURE } from '../exit-codes.ts';
import { DEFAULT_DB, DEFAULT_LISTEN, positiveInt } from '../options.ts';
import { type RunningMend, StartError, startMend } from '../start-mend.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerRun: RegisterCommand = (program) => {
  program
    .command('run')
    .description('Probe every check continuously, record each change of state, serve /metrics.')
    .requiredOption('-c, --config <paths...>', 'config files or folders (*.yaml, *.yml)')
    .option('--db <path>', 'SQLite store file', DEFAULT_DB)
    .option('--listen <host:port>', 'address for /healthz, /readyz and /metrics', DEFAULT_LISTEN)
    .addOption(
      new Option('--workers <n>', 'probe worker threads (0: probe in the main thread)')
        .argParser(positiveInt('--workers'))
        .default(CONTROLLER_DEFAULTS.workers),
    )
    .addOption(
      new Option('--max-in-flight <n>', 'probes running at once, over all workers')
        .argParser(positiveInt('--max-in-flight'))
        .default(CONTROLLER_DEFAULTS.maxInFlight),
    )
    .addOption(
      new Option('--shutdown-timeout <seconds>', 'how long to wait for probes in flight on stop')
        .argParser(positiveInt('--shutdown-timeout'))
        .default(10),
    )
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
    .action(async (options) => {
      const log = createLogger({ level: options.logLevel });
      const mend = await startOrReport(() => startMend({ ...options, log }));
      if (mend) handleProcessSignals(mend, log, options.shutdownTimeout * 1000);
    });
};

/** Start, or print why not (config errors, store, port) and set exit code 1: never a stack trace. */
export async function startOrReport(
  start: () => Promise<RunningMend>,
): Promise<RunningMend | undefined> {
  try {
    return await start();
  } catch (err) {
    if (!(err instanceof StartError)) throw err;
    process.stderr.write(`mend: ${err.message}\n`);
    process.exitCode = EXIT_FAILURE;
    return undefined;
  }
}

/** SIGHUP reloads; SIGINT/SIGTERM stop within the deadline; a second one exits at once. */
export function handleProcessSignals(
  mend: RunningMend,
  log: Logger,
  deadlineMs: number,
  hooks: { beforeStop?: () => Promise<void>; afterStop?: () => Promise<void> } = {},
): void {
  process.on('SIGHUP', () => void mend.reload());
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn(`second ${signal}: exiting now`);
      process.exit(130);
    }
    stopping = true;
    log.info(`${signal}: stopping (waiting up to ${deadlineMs / 1000} s for probes in flight)`);
    try {
      await hooks.beforeStop?.();
      await mend.stop(deadlineMs);
      await hooks.afterStop?.();
      log.info('stopped');
    } catch (err) {
      log.error({ err }, 'stopped with work not recorded');
      process.exitCode = EXIT_FAILURE;
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

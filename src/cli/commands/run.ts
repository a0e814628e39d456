import { Option } from '@commander-js/extra-typings';
import { PROBER_DEFAULTS } from '../../signals/prober-options.ts';
import { byteSize, dbOption, listenAddress, positiveInt } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerRun: RegisterCommand = (program) => {
  program
    .command('run')
    .description('Probe every check continuously, record each change of state, serve /metrics.')
    .requiredOption('-c, --config <paths...>', 'config files or folders (*.yaml, *.yml)')
    .addOption(dbOption())
    .addOption(
      new Option(
        '--db-max-size <size>',
        'cap the store file (e.g. 512MiB): past it the store is full, as on a full volume',
      ).argParser(byteSize('--db-max-size')),
    )
    .addOption(
      new Option(
        '--listen <host:port>',
        'address for /healthz, /readyz, /metrics and the operator API (/api/v1: loopback only without TLS or --insecure-api); default: Settings api.listen, else 127.0.0.1:9797',
      ).argParser(listenAddress),
    )
    .addOption(
      new Option(
        '--workers <n>',
        'probe worker threads (0: probe in the main thread); default: one per 5,000 probes/s the config asks, at most one per core',
      ).argParser(positiveInt('--workers')),
    )
    .addOption(
      new Option('--max-in-flight <n>', 'probes running at once, over all workers')
        .argParser(positiveInt('--max-in-flight'))
        .default(PROBER_DEFAULTS.maxInFlight),
    )
    .addOption(
      new Option('--shutdown-timeout <seconds>', 'how long to wait for probes in flight on stop')
        .argParser(positiveInt('--shutdown-timeout'))
        .default(10),
    )
    .option(
      '--insecure-api',
      'serve the operator API on a non-loopback --listen without TLS (put a TLS proxy in front); as Settings api.insecure',
    )
    .option(
      '--replica',
      'run as one of several replicas on one PostgreSQL store (checks shared, one leader decides); as Settings replicas.enabled',
    )
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
    .action(async (options) => {
      const [{ createLogger }, { handleProcessSignals, serveOn, startOrReport }] =
        await Promise.all([import('../../support/log.ts'), import('../run-controller.ts')]);
      const log = createLogger({ level: options.logLevel });
      const { listen, insecureApi, dbMaxSize, ...rest } = options;
      const mend = await startOrReport({
        ...rest,
        ...(dbMaxSize !== undefined ? { dbMaxSizeBytes: dbMaxSize } : {}),
        log,
        serve: serveOn({ ...(listen ? { listen } : {}), insecureApi: insecureApi === true }),
      });
      if (mend) handleProcessSignals(mend, log, options.shutdownTimeout * 1000);
    });
};

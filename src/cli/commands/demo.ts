import { fileURLToPath } from 'node:url';
import { Option } from '@commander-js/extra-typings';
import { demoFaults, scheduleFaults } from '../../../demo/faults.ts';
import { type DemoServiceSpec, Supervisor } from '../../../demo/supervisor.ts';
import { createLogger } from '../../log.ts';
import { EXIT_FAILURE } from '../exit-codes.ts';
import { DEFAULT_LISTEN, positiveInt } from '../options.ts';
import { startMend } from '../start-mend.ts';
import type { RegisterCommand } from './index.ts';
import { handleProcessSignals, startOrReport } from './run.ts';

const PORTS = { api: 17801, worker: 17802, db: 17803 };
const CONFIG = fileURLToPath(new URL('../../../examples/demo/', import.meta.url));

const SERVICES: DemoServiceSpec[] = [
  { name: 'db', port: PORTS.db, deps: [] },
  { name: 'api', port: PORTS.api, deps: [`db=http://127.0.0.1:${PORTS.db}/readyz`] },
  { name: 'worker', port: PORTS.worker, deps: [`db=http://127.0.0.1:${PORTS.db}/readyz`] },
];

export const registerDemo: RegisterCommand = (program) => {
  program
    .command('demo')
    .description(
      'Launch demo services on loopback, run mend on examples/demo/, and inject faults on a schedule.',
    )
    .option('--db <path>', 'SQLite store file', '.mend/demo.db')
    .option('--listen <host:port>', 'address for /healthz, /readyz and /metrics', DEFAULT_LISTEN)
    .addOption(
      new Option('--duration <seconds>', 'stop after this long (0: run until Ctrl-C)')
        .argParser(positiveInt('--duration'))
        .default(0),
    )
    .option('--no-faults', 'do not inject faults')
    .action(async (options) => {
      const log = createLogger();
      const say = (line: string) => log.info(`demo: ${line}`);
      const supervisor = new Supervisor(SERVICES, say);
      try {
        await supervisor.startAll();
      } catch (err) {
        await supervisor.stopAll();
        process.stderr.write(
          `mend demo: cannot start the demo services: ${(err as Error).message}\n` +
            `(the demo uses ports ${Object.values(PORTS).join(', ')} on 127.0.0.1)\n`,
        );
        process.exitCode = EXIT_FAILURE;
        return;
      }
      say(`services up: ${SERVICES.map((s) => `${s.name} on 127.0.0.1:${s.port}`).join(', ')}`);
      const mend = await startOrReport(() =>
        startMend({
          config: [CONFIG],
          db: options.db,
          listen: options.listen,
          workers: 1,
          maxInFlight: 100,
          log,
        }),
      );
      if (!mend) {
        await supervisor.stopAll();
        return;
      }
      const stopFaults = options.faults
        ? scheduleFaults(demoFaults(supervisor, PORTS), say)
        : () => {};
      handleProcessSignals(mend, log, 5000, {
        beforeStop: async () => stopFaults(),
        afterStop: () => supervisor.stopAll(),
      });
      if (options.duration > 0) {
        setTimeout(() => process.kill(process.pid, 'SIGTERM'), options.duration * 1000).unref();
      }
    });
};

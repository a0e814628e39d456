import { Option } from '@commander-js/extra-typings';
import type { Observation } from '../../signals/observation.ts';
import { formatTable } from '../../support/text-table.ts';
import { EXIT_FAILURE, EXIT_USAGE } from '../exit-codes.ts';
import { positiveInt } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

export interface CheckRow {
  service: string;
  check: string;
  kind: string;
  observation: Observation;
}

export const registerCheck: RegisterCommand = (program) => {
  program
    .command('check')
    .description(
      'Run every check once and print the results; exit 1 if any did not pass (failed, or discarded).',
    )
    .requiredOption('-c, --config <paths...>', 'config files or folders (*.yaml, *.yml)')
    .option('--service <names...>', 'only these services')
    .option('--check <names...>', 'only checks with these names')
    .option('--json', 'print JSON instead of a table')
    .addOption(
      new Option('--concurrency <n>', 'probes at once')
        .argParser(positiveInt('--concurrency'))
        .default(64),
    )
    .action(async (options) => {
      const [
        { formatErrors },
        { loadMendConfig },
        { checkDefinitions },
        { prepareCheck },
        { probeOf },
        { runProbe },
      ] = await Promise.all([
        import('../../config/config-error.ts'),
        import('../../documents.ts'),
        import('../../signals/check-identity.ts'),
        import('../../signals/prepare-check.ts'),
        import('../../signals/probes/registry.ts'),
        import('../../signals/run-probe.ts'),
      ]);
      const loaded = await loadMendConfig(options.config);
      if (!loaded.config) {
        process.stderr.write(`${formatErrors(loaded.errors, loaded.moreErrors)}\n`);
        process.exitCode = EXIT_FAILURE;
        return;
      }
      const definitions = checkDefinitions(loaded.config.services).filter(
        (d) =>
          (!options.service || options.service.includes(d.service)) &&
          (!options.check || options.check.includes(d.spec.name)),
      );
      if (definitions.length === 0) {
        process.stderr.write('mend check: no check matches the --service / --check filters\n');
        process.exitCode = EXIT_USAGE;
        return;
      }
      const rows: CheckRow[] = new Array(definitions.length);
      let next = 0;
      const worker = async () => {
        while (next < definitions.length) {
          const i = next++;
          const definition = definitions[i]!;
          const scheduled = prepareCheck(definition);
          const observation = await runProbe(scheduled.probe, {
            timeoutMs: scheduled.timeoutMs,
            maxOutputBytes: 64 * 1024,
          }).done;
          rows[i] = {
            service: definition.service,
            check: definition.spec.name,
            kind: probeOf(definition.spec).kind,
            observation,
          };
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : renderRows(rows));
      if (rows.some((row) => !row.observation.ok)) process.exitCode = EXIT_FAILURE;
    });
};

function renderRows(rows: CheckRow[]): string {
  return formatTable(
    ['SERVICE', 'CHECK', 'KIND', 'RESULT', 'LATENCY', 'DETAIL'],
    rows.map(({ service, check, kind, observation: o }) => [
      service,
      check,
      kind,
      o.ok ? 'ok' : o.discarded ? 'DISCARDED' : 'FAILED',
      `${Math.round(o.durationMs)}ms`,
      detailOf(o),
    ]),
  );
}

function detailOf(o: Observation): string {
  const parts: string[] = [];
  if (o.status !== undefined) parts.push(`status ${o.status}`);
  if (o.error) parts.push(o.error);
  if (o.warning) parts.push(o.warning);
  const failing = o.dependencies?.filter((d) => d.health !== 'pass') ?? [];
  if (failing.length)
    parts.push(`dependencies: ${failing.map((d) => `${d.name}=${d.reported}`).join(', ')}`);
  if (o.tls?.certDaysLeft !== undefined) parts.push(`cert ${o.tls.certDaysLeft}d left`);
  return parts.join('; ').replace(/\s+/g, ' ');
}

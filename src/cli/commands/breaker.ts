import {
  configOrFail,
  reportingFailures,
  sendOperatorRequest,
  storeOrFail,
} from '../open-for-cli.ts';
import { dbOption } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerBreaker: RegisterCommand = (program) => {
  const breaker = program
    .command('breaker')
    .description('Retry budgets per (service, runbook): list them, or reset one that opened.');

  breaker
    .command('list')
    .description(
      'Every breaker with attempts in its window or not closed, from the recorded decisions.',
    )
    .requiredOption('-c, --config <paths...>', 'the config mend runs with')
    .addOption(dbOption())
    .option('--json', 'print JSON')
    .action((options) =>
      reportingFailures(async () => {
        const [{ rebuildState }, { createEngine, listBreakers }, { formatTable }] =
          await Promise.all([
            import('../../decisions/rebuild.ts'),
            import('../../policy/index.ts'),
            import('../../support/text-table.ts'),
          ]);
        const config = await configOrFail(options.config);
        const store = await storeOrFail(options.db);
        try {
          const { state } = await rebuildState(createEngine(config), store);
          const breakers = listBreakers(state);
          if (options.json) {
            process.stdout.write(`${JSON.stringify(breakers, null, 2)}\n`);
            return;
          }
          const rows = breakers.map((b) => [
            b.service,
            b.runbook,
            b.state,
            String(b.attempts.length),
            b.attempts.length ? new Date(b.attempts.at(-1)!).toISOString() : '-',
            b.openUntil === null ? '-' : new Date(b.openUntil).toISOString(),
          ]);
          process.stdout.write(
            formatTable(
              ['SERVICE', 'RUNBOOK', 'STATE', 'ATTEMPTS', 'LAST ATTEMPT', 'OPEN UNTIL'],
              rows,
            ),
          );
        } finally {
          await store.close();
        }
      }),
    );

  breaker
    .command('reset')
    .description('Close the breaker of SERVICE (every runbook, or only RUNBOOK). Audited.')
    .argument('<service>')
    .argument('[runbook]')
    .addOption(dbOption())
    .option('--no-wait', 'do not wait to hear whether the running mend applied it')
    .action((service, runbook, options) =>
      reportingFailures(() =>
        sendOperatorRequest(
          options.db,
          { kind: 'breakerReset', payload: { service, ...(runbook ? { runbook } : {}) } },
          `breaker reset of ${service}${runbook ? ` ${runbook}` : ''}`,
          options.wait,
        ),
      ),
    );
};

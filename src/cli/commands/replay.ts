import { Option } from '@commander-js/extra-typings';
import type { ReplayResult } from '../../decisions/replay.ts';
import { terminalLine } from '../../support/terminal-text.ts';
import { EXIT_FAILURE } from '../exit-codes.ts';
import { configOrFail, reportingFailures, storeOrFail } from '../open-for-cli.ts';
import { dbOption, timeOption } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerReplay: RegisterCommand = (program) => {
  program
    .command('replay')
    .description(
      'Decide the recorded inputs again with a (possibly changed) config and print where the decisions differ. Exit 1 when some do.',
    )
    .requiredOption('-c, --config <paths...>', 'the config to replay with')
    .addOption(dbOption())
    .addOption(
      new Option('--since <time>', 'compare from (7d, 24h or RFC 3339)').argParser(timeOption()),
    )
    .addOption(
      new Option('--until <time>', 'compare until (7d, 24h or RFC 3339)').argParser(timeOption()),
    )
    .option('--service <name>', 'compare only decisions about this service')
    .option('--incident <id>', 'compare only decisions about this incident (e.g. inc-3)')
    .option('--json', 'print JSON')
    .action((options) =>
      reportingFailures(async () => {
        const { replayDecisions } = await import('../../decisions/replay.ts');
        const config = await configOrFail(options.config);
        const store = await storeOrFail(options.db);
        try {
          const result = await replayDecisions(config, store, options);
          if (options.json) {
            process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          } else {
            process.stdout.write(renderReplay(result));
          }
          if (result.differences.length > 0) process.exitCode = EXIT_FAILURE;
        } finally {
          await store.close();
        }
      }),
    );
};

function renderReplay(result: ReplayResult): string {
  const lines = [
    `replayed ${result.replayed} recorded input(s); compared ${result.compared} decision(s); ${result.differences.length} differ`,
  ];
  for (const diff of result.differences) {
    lines.push('', `input ${diff.seq} at ${new Date(diff.at).toISOString()}: ${diff.input}`);
    for (const line of diff.recorded) lines.push(`  - ${line}`);
    for (const line of diff.replayed) lines.push(`  + ${line}`);
  }
  // Recorded inputs hold what probe targets said: one line each, controls shown.
  return `${lines.map(terminalLine).join('\n')}\n`;
}

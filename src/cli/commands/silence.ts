import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { parseDuration } from '../../config/kinds/duration.ts';
import { isoTime } from '../../incidents/format.ts';
import { StartError } from '../../support/start-error.ts';
import { terminalLine } from '../../support/terminal-text.ts';
import { formatTable } from '../../support/text-table.ts';
import {
  configOrFail,
  reportingFailures,
  sendOperatorRequest,
  withRecordedStore,
} from '../open-for-cli.ts';
import { dbOption } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerSilence: RegisterCommand = (program) => {
  const silence = program
    .command('silence')
    .description(
      'Silences added while mend runs (beside the config’s): while one is active, what it matches is recorded and nothing done.',
    );

  silence
    .command('add')
    .description(
      'Silence what the matchers select, from now (or --from) for --for or until --until. Audited.',
    )
    .argument('<matchers...>', 'Alertmanager matchers: service="db" env=~"prod|stage"')
    .addOption(new Option('--for <duration>', 'how long: 30m, 2h, 1d').argParser(durationOption))
    .addOption(new Option('--until <time>', 'when it ends (RFC 3339)').argParser(instantOption))
    .addOption(
      new Option('--from <time>', 'when it starts (RFC 3339); default now').argParser(
        instantOption,
      ),
    )
    .requiredOption('--comment <text>', 'why: the page and the timeline say it')
    .addOption(dbOption())
    .option('--no-wait', 'do not wait to hear whether the running mend applied it')
    .action((matchers, options) =>
      reportingFailures(async () => {
        // Loaded here: the matcher parser brings zod and the RE2 engine, which `mend --help` skips.
        const { parseMatcher } = await import('../../config/kinds/matcher.ts');
        for (const text of matchers) {
          const parsed = parseMatcher(text);
          if ('error' in parsed) {
            throw new StartError(`matcher ${JSON.stringify(text)}: ${parsed.error}`);
          }
        }
        if ((options.for === undefined) === (options.until === undefined)) {
          throw new StartError('give exactly one of --for DURATION and --until TIME');
        }
        const startsAt = options.from ?? Date.now();
        const endsAt = options.until ?? startsAt + options.for!;
        await sendOperatorRequest(
          options.db,
          { kind: 'silence', payload: { matchers, startsAt, endsAt, comment: options.comment } },
          `silence of ${matchers.join(' ')} until ${isoTime(endsAt)}`,
          options.wait,
        );
      }),
    );

  silence
    .command('list')
    .description('Active and coming silences: the config’s and those added while mend runs.')
    .requiredOption('-c, --config <paths...>', 'the config mend runs with')
    .addOption(dbOption())
    .option('--json', 'print JSON')
    .action((options) =>
      reportingFailures(() =>
        withRecordedStore(options.db, async (store) => {
          const [{ rebuildState }, { createEngine }, { activeAndComing }] = await Promise.all([
            import('../../decisions/rebuild.ts'),
            import('../../policy/index.ts'),
            import('../../decisions/silence-list.ts'),
          ]);
          const config = await configOrFail(options.config);
          const { state } = await rebuildState(createEngine(config), store);
          const silences = activeAndComing(config, state, Date.now());
          if (options.json) {
            process.stdout.write(`${JSON.stringify(silences, null, 2)}\n`);
            return;
          }
          if (silences.length === 0) {
            process.stdout.write('No silences active or coming.\n');
            return;
          }
          process.stdout.write(
            formatTable(
              ['ID', 'MATCHERS', 'FROM', 'UNTIL', 'BY', 'FROM CONFIG', 'COMMENT'],
              silences.map((s) => [
                s.id,
                s.matchers.join(', '),
                isoTime(s.startsAt),
                isoTime(s.endsAt),
                s.createdBy,
                s.source ?? '-',
                terminalLine(s.comment),
              ]),
            ),
          );
        }),
      ),
    );

  silence
    .command('expire')
    .description('End a silence added while mend runs, now; what it held is judged again. Audited.')
    .argument('<id>', 'the id `mend silence list` shows (sil-N)')
    .addOption(dbOption())
    .option('--no-wait', 'do not wait to hear whether the running mend applied it')
    .action((id, options) =>
      reportingFailures(() =>
        sendOperatorRequest(
          options.db,
          { kind: 'silenceExpire', payload: { silenceId: id } },
          `expiry of silence ${id}`,
          options.wait,
        ),
      ),
    );
};

function durationOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new InvalidArgumentError(`expected a duration such as 30m, 2h or 1d, found "${value}"`);
  }
  return ms;
}

function instantOption(value: string): number {
  const at = Date.parse(value);
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new InvalidArgumentError(
      `expected a time such as 2026-12-02T18:00:00Z, found "${value}"`,
    );
  }
  return at;
}

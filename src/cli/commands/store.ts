import { existsSync } from 'node:fs';
import { isPostgresUrl, storeName } from '../../store/postgres-url.ts';
import { StartError } from '../../support/start-error.ts';
import { reportingFailures } from '../open-for-cli.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerStore: RegisterCommand = (program) => {
  const store = program.command('store').description('Work on a whole store.');

  store
    .command('copy')
    .description(
      'Copy a store with all its history (incidents, journal, decision record, audit chain, tokens) into a new, empty one: e.g. SQLite to PostgreSQL. Stop `mend run` on the source first.',
    )
    .requiredOption('--from <store>', 'the store to copy: an SQLite file or a postgres:// URL')
    .requiredOption(
      '--to <store>',
      'the new store: a postgres:// URL (or an SQLite file); must be empty',
    )
    .action((options) =>
      reportingFailures(async () => {
        if (!isPostgresUrl(options.from) && !existsSync(options.from)) {
          throw new StartError(
            `no store at ${options.from} (give --from the --db that \`mend run\` used)`,
          );
        }
        const [{ openKyselyStore }, { copyStore }] = await Promise.all([
          import('../../store/open.ts'),
          import('../../store/copy-store.ts'),
        ]);
        const from = await opened(() => openKyselyStore({ path: options.from }));
        try {
          const to = await opened(() => openKyselyStore({ path: options.to }));
          try {
            const result = await copyStore(from, to, progressLine()).catch((error: unknown) => {
              throw new StartError(error instanceof Error ? error.message : String(error));
            });
            const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
            process.stdout.write(
              `copied ${total} row(s) from ${storeName(options.from)} to ${storeName(options.to)}; audit head seq ${result.auditHead.seq} sha256 ${result.auditHead.hash}\n` +
                `check it: \`mend audit verify --db ${storeName(options.to)}\` (with the password), then run mend on the new store\n`,
            );
          } finally {
            await to.close();
          }
        } finally {
          await from.close();
        }
      }),
    );
};

async function opened<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw new StartError(error instanceof Error ? error.message : String(error));
  }
}

/** One line per table on stderr, and one every few seconds while a long table copies. */
function progressLine() {
  let saidAt = 0;
  return (step: { table: string; copied: number; total: number }) => {
    const now = Date.now();
    const edge = step.copied === 0 || step.copied === step.total;
    if (!edge && now - saidAt < 2000) return;
    if (step.copied === 0 && step.total > 0) return;
    saidAt = now;
    process.stderr.write(`${step.table}: ${step.copied} of ${step.total} row(s)\n`);
  };
}

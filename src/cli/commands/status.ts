import { existsSync } from 'node:fs';
import { Option } from '@commander-js/extra-typings';
import { parseDuration } from '../../config/kinds/duration.ts';
import { isPostgresUrl } from '../../store/postgres-url.ts';
import { StartError } from '../../support/start-error.ts';
import { configOrFail, reportingFailures } from '../open-for-cli.ts';
import { dbOption } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

const DEFAULT_LEASE = '10s';

export const registerStatus: RegisterCommand = (program) => {
  program
    .command('status')
    .description(
      'The replicas on a store: each one’s heartbeat lag and share of the checks, the leader and its epoch (docs/replicas.md).',
    )
    .addOption(dbOption())
    .option('-c, --config <paths...>', 'the config the replicas run with (for its lease)')
    .addOption(
      new Option('--lease <duration>', `the lease, without --config (default ${DEFAULT_LEASE})`),
    )
    .option('--json', 'print JSON')
    .action((options) =>
      reportingFailures(async () => {
        const [{ openKyselyStore }, { readReplicaStatus }, { renderStatus }] = await Promise.all([
          import('../../store/open.ts'),
          import('../../replicas/replica-group.ts'),
          import('../../replicas/render-status.ts'),
        ]);
        const leaseMs = await leaseOf(options.config, options.lease);
        if (!isPostgresUrl(options.db) && !existsSync(options.db)) {
          throw new StartError(`no store at ${options.db} (give the --db that \`mend run\` uses)`);
        }
        const store = await openKyselyStore({ path: options.db }).catch((err: unknown) => {
          throw new StartError(err instanceof Error ? err.message : String(err));
        });
        try {
          const status = await readReplicaStatus(store.replicas(), leaseMs);
          process.stdout.write(
            options.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status),
          );
        } finally {
          await store.close();
        }
      }),
    );
};

async function leaseOf(config: string[] | undefined, lease: string | undefined): Promise<number> {
  if (config !== undefined) {
    return (await configOrFail(config)).settings.replicas?.leaseMs ?? parseDuration(DEFAULT_LEASE)!;
  }
  const ms = parseDuration(lease ?? DEFAULT_LEASE);
  if (ms === undefined) throw new StartError(`--lease ${lease}: expected a duration such as 10s`);
  return ms;
}

import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { parseRole, type Role } from '../../api/auth/roles.ts';
import { formatDuration, parseDuration } from '../../config/kinds/duration.ts';
import { didYouMean } from '../../config/suggest.ts';
import { isoTime } from '../../incidents/format.ts';
import type { StoredToken } from '../../store/store.ts';
import { StartError } from '../../support/start-error.ts';
import { formatTable } from '../../support/text-table.ts';
import { reportingFailures, storeOrFail, withRecordedStore } from '../open-for-cli.ts';
import { cliUserActor, dbOption } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerToken: RegisterCommand = (program) => {
  const token = program
    .command('token')
    .description(
      'API tokens: create one (printed once; mend keeps only its hash), list them, revoke one. Creating and revoking are audited.',
    );

  token
    .command('create')
    .description(
      'Create a token NAME with a role and print it once, alone on stdout (TOKEN=$(mend token create ...)).',
    )
    .argument('<name>', 'letters, digits, ".", "_", "-"; never reused, even once revoked')
    .addOption(
      new Option('--role <role>', 'viewer, operator, admin or ingest (see docs/auth.md)')
        .argParser(roleOption)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        '--expires <duration>',
        'expire this long from now, e.g. 90d, 12h (default: never)',
      ).argParser(expiresOption),
    )
    .addOption(dbOption())
    .action((name, options) =>
      reportingFailures(async () => {
        const [{ generateToken, hashToken }, { tokenName }] = await Promise.all([
          import('../../secrets/api-token.ts'),
          import('../../store/token-rows.ts'),
        ]);
        try {
          tokenName(name);
        } catch (error) {
          throw new StartError((error as Error).message);
        }
        const store = await storeOrFail(options.db);
        try {
          const secret = generateToken();
          const now = Date.now();
          const created = await store
            .createToken(
              {
                name,
                role: options.role,
                hash: hashToken(secret),
                createdAt: now,
                ...(options.expires === undefined ? {} : { expiresAt: now + options.expires }),
              },
              { actor: cliUserActor() },
            )
            .catch((error: unknown) => {
              if (error instanceof RangeError) throw new StartError(error.message);
              throw error;
            });
          process.stdout.write(`${secret}\n`);
          process.stderr.write(
            `token ${created.name} created: role ${created.role}, ${
              created.expiresAt === undefined
                ? 'never expires'
                : `expires ${isoTime(created.expiresAt)} (in ${formatDuration(options.expires ?? 0)})`
            }. It is shown this once: mend keeps only its hash. Send it as Authorization: Bearer TOKEN.\n`,
          );
        } finally {
          await store.close();
        }
      }),
    );

  token
    .command('list')
    .description('Every token: name, role, state, created, expires, last used. Never the token.')
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action((options) =>
      reportingFailures(() =>
        withRecordedStore(options.db, async (store) => {
          const now = Date.now();
          const tokens = (await store.listTokens()).map((t) => ({ ...t, state: stateOf(t, now) }));
          if (options.json) {
            process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
            return;
          }
          if (tokens.length === 0) {
            process.stdout.write(
              'no tokens (create one with mend token create NAME --role ROLE)\n',
            );
            return;
          }
          process.stdout.write(
            formatTable(
              ['NAME', 'ROLE', 'STATE', 'CREATED', 'EXPIRES', 'LAST USED'],
              tokens.map((t) => [
                t.name,
                t.role,
                t.state,
                isoTime(t.createdAt),
                t.expiresAt === undefined ? 'never' : isoTime(t.expiresAt),
                t.lastUsedAt === undefined ? 'never' : isoTime(t.lastUsedAt),
              ]),
            ),
          );
        }),
      ),
    );

  token
    .command('revoke')
    .description('Revoke token NAME: refused from its next request on, even by a running mend.')
    .argument('<name>')
    .addOption(dbOption())
    .action((name, options) =>
      reportingFailures(() =>
        withRecordedStore(options.db, async (store) => {
          const names = (await store.listTokens()).map((t) => t.name);
          if (!names.includes(name)) {
            throw new StartError(
              `no token named ${JSON.stringify(name)}${didYouMean(name, names)}`,
            );
          }
          const { token: revoked, revoked: now } = await store.revokeToken(name, Date.now(), {
            actor: cliUserActor(),
          });
          process.stdout.write(
            now
              ? `token ${name} revoked (audited)\n`
              : `token ${name} was already revoked at ${isoTime(revoked.revokedAt ?? 0)}\n`,
          );
        }),
      ),
    );
};

function stateOf(token: StoredToken, now: number): 'active' | 'expired' | 'revoked' {
  if (token.revokedAt !== undefined) return 'revoked';
  if (token.expiresAt !== undefined && token.expiresAt <= now) return 'expired';
  return 'active';
}

function roleOption(value: string): Role {
  const parsed = parseRole(value);
  if ('error' in parsed) throw new InvalidArgumentError(parsed.error);
  return parsed.role;
}

function expiresOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new InvalidArgumentError(
      `expected a duration from now such as 90d, 12h or 30m (units d, h, m, s), found ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { isoTime, oneLine } from '../../incidents/format.ts';
import type { AuditAnchor } from '../../store/audit-chain.ts';
import type { StoredAuditEntry } from '../../store/store.ts';
import { formatTable } from '../../support/text-table.ts';
import { EXIT_FAILURE } from '../exit-codes.ts';
import { reportingFailures, withRecordedStore } from '../open-for-cli.ts';
import { dbOption, positiveInt, timeOption } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerAudit: RegisterCommand = (program) => {
  const audit = program
    .command('audit')
    .description(
      'The audit log: every change made through the CLI or the API and every refused request, one row each, chained by hashes.',
    );

  audit
    .command('list')
    .description('Audit rows, oldest first.')
    .addOption(new Option('--since <time>', 'since (1h, 7d or RFC 3339)').argParser(timeOption()))
    .option(
      '--actor <name>',
      'only this actor: token:NAME, cli:USER, anonymous; a bare NAME means token:NAME or cli:NAME',
    )
    .option('--action <action>', 'only this action, e.g. token.create (see docs/auth.md)')
    .addOption(
      new Option('--limit <n>', 'at most the last N rows').argParser(positiveInt('--limit')),
    )
    .option('--json', 'print JSON (every field, with seq and hashes)')
    .addOption(dbOption())
    .action((options) =>
      reportingFailures(() =>
        withRecordedStore(options.db, async (store) => {
          const actor = options.actor;
          const newest = await store.listAudit({
            ...(options.since === undefined ? {} : { since: options.since }),
            ...(actor === undefined
              ? {}
              : { actor: actor.includes(':') ? actor : [`token:${actor}`, `cli:${actor}`, actor] }),
            ...(options.action === undefined ? {} : { action: options.action }),
            ...(options.limit === undefined ? {} : { limit: options.limit }),
            order: 'newest-first',
          });
          const rows = newest.reverse();
          if (options.json) {
            process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
            return;
          }
          process.stdout.write(rows.length === 0 ? 'no audit rows\n' : renderRows(rows));
        }),
      ),
    );

  audit
    .command('verify')
    .description(
      'Walk the hash chain; exit 0 with the count of rows verified, 1 naming the first row whose content, order or link does not hold.',
    )
    .addOption(
      new Option(
        '--anchor <seq:hash>',
        'a head printed by an earlier verify, kept elsewhere: the row at SEQ must still have HASH',
      ).argParser(anchorOption),
    )
    .addOption(dbOption())
    .action((options) =>
      reportingFailures(() =>
        withRecordedStore(options.db, async (store) => {
          const { verifyAuditLog } = await import('../../store/verify-audit.ts');
          const result = await verifyAuditLog(store, options.anchor);
          if (result.ok) {
            process.stdout.write(
              `audit log verified: ${result.verified} row(s); head seq ${result.head.seq} sha256 ${result.head.hash}\n` +
                `keep the head elsewhere: \`mend audit verify --anchor ${result.head.seq}:${result.head.hash}\` later proves rows 1-${result.head.seq} were not rewritten since\n`,
            );
            return;
          }
          process.stdout.write(
            `audit log does NOT verify: ${result.problem.message}\n` +
              `${result.verified} row(s) before it verified (seq 1-${result.verified})\n`,
          );
          process.exitCode = EXIT_FAILURE;
        }),
      ),
    );
};

function renderRows(rows: StoredAuditEntry[]): string {
  return formatTable(
    ['SEQ', 'TIME', 'ACTOR', 'ROLE', 'SOURCE', 'ACTION', 'TARGET', 'RESULT', 'PARAMS'],
    rows.map((row) => [
      String(row.seq),
      isoTime(row.at),
      row.actor,
      row.role ?? '-',
      row.source ?? '-',
      row.action,
      row.target,
      row.result,
      oneLine(JSON.stringify(row.params), 120),
    ]),
  );
}

function anchorOption(value: string): AuditAnchor {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value);
  const seq = Number(match?.[1]);
  if (match === null || !(seq >= 1)) {
    throw new InvalidArgumentError(
      `expected SEQ:HASH as mend audit verify printed it (a seq from 1, a 64-digit hex sha256), found ${JSON.stringify(value)}`,
    );
  }
  return { seq, hash: match[2]! };
}

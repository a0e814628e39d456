import { Option } from '@commander-js/extra-typings';
import { human, isoTime, oneLine } from '../../incidents/format.ts';
import type { IncidentSummary } from '../../incidents/summary.ts';
import { storeName } from '../../store/postgres-url.ts';
import { StartError } from '../../support/start-error.ts';
import { formatTable } from '../../support/text-table.ts';
import { reportingFailures, withRecordedStore } from '../open-for-cli.ts';
import { dbOption, timeOption } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerIncidents: RegisterCommand = (program) => {
  const incidents = program
    .command('incidents')
    .description(
      'Incidents as mend recorded them: list them, or show one as a timeline, a post-incident report (Markdown) or JSON.',
    );

  incidents
    .command('list')
    .description('One line per incident, oldest first.')
    .option('--open', 'only incidents still open')
    .option('--service <name>', 'only incidents of this service')
    .addOption(
      new Option('--since <time>', 'opened since (7d, 24h or RFC 3339)').argParser(timeOption()),
    )
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action((options) =>
      reportingFailures(() =>
        withRecordedStore(options.db, async (store) => {
          const { summarize } = await import('../../incidents/summary.ts');
          const found = await store.listIncidents({
            ...(options.open ? { status: 'open' as const } : {}),
            ...(options.service !== undefined ? { service: options.service } : {}),
            ...(options.since !== undefined ? { since: options.since } : {}),
          });
          const now = Date.now();
          const rows: IncidentSummary[] = [];
          for (const incident of found) {
            const full = await store.getIncident(incident.id);
            if (full !== undefined) rows.push(summarize(full, now));
          }
          process.stdout.write(
            options.json ? `${JSON.stringify(rows, null, 2)}\n` : renderList(rows),
          );
        }),
      ),
    );

  incidents
    .command('show')
    .description(
      'One incident: its timeline (text), a post-incident report to paste into a review (md), or everything recorded (json).',
    )
    .argument('<id>', 'the incident id (inc-3), as `mend incidents list` shows it')
    .addOption(
      new Option('--format <format>', 'text, md or json')
        .choices(['text', 'md', 'json'] as const)
        .default('text' as const),
    )
    .addOption(dbOption())
    .action((id, options) =>
      reportingFailures(() =>
        withRecordedStore(options.db, async (store) => {
          if (/^#?\d+$/.test(id.trim())) {
            throw new StartError(
              `${id} is not an incident id: give the inc-N id that \`mend incidents list\` shows`,
            );
          }
          const incident = await store.getIncident(id.trim());
          if (incident === undefined) {
            throw new StartError(`no incident ${id} in ${storeName(options.db)}`);
          }
          const [{ loadIncidentRecords }, { incidentView }, { renderMarkdown }, { renderText }] =
            await Promise.all([
              import('../../incidents/load.ts'),
              import('../../incidents/incident-view.ts'),
              import('../../incidents/render-markdown.ts'),
              import('../../incidents/render-text.ts'),
            ]);
          const [record] = await loadIncidentRecords(store, [incident], { journal: true });
          const view = incidentView(record!);
          const out =
            options.format === 'json'
              ? `${JSON.stringify(view, null, 2)}\n`
              : options.format === 'md'
                ? renderMarkdown(view)
                : renderText(view);
          process.stdout.write(out);
        }),
      ),
    );
};

function renderList(rows: IncidentSummary[]): string {
  if (rows.length === 0) return 'No incidents.\n';
  return formatTable(
    ['ID', 'SERVICE', 'STATUS', 'OPENED', 'DURATION', 'ATTEMPTS', 'CHRONIC', 'TITLE'],
    rows.map((r) => [
      r.id,
      r.service,
      r.status,
      isoTime(Math.floor(r.openedAt / 1000) * 1000),
      r.status === 'open' ? `${human(r.durationMs)}+` : human(r.durationMs),
      String(r.attempts),
      r.chronic ? 'yes' : '-',
      oneLine(r.title, 80),
    ]),
  );
}

import { Option } from '@commander-js/extra-typings';
import { human, isoTime, maybe, oneLine } from '../../incidents/format.ts';
import type { Report } from '../../incidents/report.ts';
import type { DurationStats } from '../../incidents/stats.ts';
import { OUTCOME_WORDS } from '../../incidents/words.ts';
import { windowWords } from '../../policy/chronic.ts';
import { terminalLine } from '../../support/terminal-text.ts';
import { formatTable } from '../../support/text-table.ts';
import { reportingFailures, withRecordedStore } from '../open-for-cli.ts';
import { dbOption, timeOption } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerReport: RegisterCommand = (program) => {
  program
    .command('report')
    .description(
      'What healing did over a window: heals per service and runbook, success rate, time to recover, chronic services, pages, and shadow-mode decisions next to what actually happened.',
    )
    .addOption(
      new Option(
        '--since <time>',
        'incidents opened since (7d, 24h or RFC 3339); default 7d',
      ).argParser(timeOption()),
    )
    .addOption(
      new Option('--until <time>', 'and before (7d, 24h or RFC 3339); default now').argParser(
        timeOption(),
      ),
    )
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action((options) =>
      reportingFailures(() =>
        withRecordedStore(options.db, async (store) => {
          const until = options.until ?? Date.now();
          const since = options.since ?? until - 7 * 86_400_000;
          const [{ loadReportRecords }, { buildReport }] = await Promise.all([
            import('../../incidents/load.ts'),
            import('../../incidents/report.ts'),
          ]);
          const records = await loadReportRecords(store, { since, until });
          const report = buildReport(records, { since, until });
          process.stdout.write(
            options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report),
          );
        }),
      ),
    );
};

function renderReport(report: Report): string {
  const n = report.incidents;
  const sections = [
    `mend report: incidents opened ${isoTime(roundDown(report.since))} .. ${isoTime(roundDown(report.until))} (${human(report.until - report.since)})`,
    `Incidents: ${n.total} (${(['open', 'healed', 'resolved-after-failed-heals', 'resolved-without-heal'] as const).map((o) => `${n[o]} ${OUTCOME_WORDS[o]}`).join(', ')})`,
    heals(report),
    times(report),
    chronic(report),
    escalations(report),
    shadow(report),
  ];
  return `${sections.join('\n\n')}\n`;
}

function heals(report: Report): string {
  if (report.heals.length === 0) return 'Heals: none.';
  const percent = (rate: number | null) => (rate === null ? '-' : `${Math.round(rate * 100)}%`);
  const row = (r: Omit<Report['heals'][number], 'service' | 'runbook'>, a: string, b: string) => [
    a,
    b,
    String(r.attempts),
    String(r.succeeded),
    String(r.failed),
    String(r.unknown),
    String(r.inFlight),
    percent(r.successRate),
  ];
  return `Heals:\n${formatTable(
    ['SERVICE', 'RUNBOOK', 'ATTEMPTS', 'SUCCEEDED', 'FAILED', 'UNKNOWN', 'IN FLIGHT', 'SUCCESS'],
    [...report.heals.map((r) => row(r, r.service, r.runbook)), row(report.totals, '(all)', '')],
  ).trimEnd()}`;
}

function times(report: Report): string {
  const row = (name: string, s: DurationStats) => [
    name,
    String(s.count),
    maybe(s.medianMs),
    maybe(s.p90Ms),
  ];
  const { recovery } = report;
  return `Time to recover (signal -> verified healthy, else resolved):\n${formatTable(
    ['SERVICE', 'INCIDENTS', 'MEDIAN', 'P90'],
    [...recovery.byService.map((s) => row(s.service, s)), row('(all)', recovery.all)],
  ).trimEnd()}\nDown (first failed observation -> recovered): median ${maybe(report.impact.medianMs)}, p90 ${maybe(report.impact.p90Ms)}.\nTime to detect: median ${maybe(report.detect.medianMs)}, p90 ${maybe(report.detect.p90Ms)}; time to decide: median ${maybe(report.decide.medianMs)}, p90 ${maybe(report.decide.p90Ms)}.`;
}

function chronic(report: Report): string {
  if (report.chronic.length === 0) return 'Chronic services: none.';
  const table = formatTable(
    ['SERVICE', 'HEALS', 'WITHIN', 'INCIDENTS', 'LAST FLAGGED'],
    report.chronic.map((c) => [
      c.service,
      String(c.heals),
      windowWords(c.withinMs),
      c.incidents.join(','),
      isoTime(c.lastFlaggedAt),
    ]),
  ).trimEnd();
  const words = report.chronic.map((c) => `  ${terminalLine(c.message)}`).join('\n');
  return `Chronic services (healing is hiding a recurring failure):\n${table}\n${words}`;
}

function escalations(report: Report): string {
  if (report.escalations.length === 0) return 'Escalations: none (nobody was paged).';
  return `Escalations (pages):\n${formatTable(
    ['TIME', 'PAGE', 'SERVICE', 'NOTIFIERS', 'REASON', 'CHRONIC', 'MESSAGE'],
    report.escalations.map((e) => [
      isoTime(roundDown(e.at)),
      e.id,
      e.service,
      e.notifiers.join(','),
      e.reason,
      e.chronic ? 'yes' : '-',
      oneLine(e.message, 100),
    ]),
  ).trimEnd()}`;
}

function shadow(report: Report): string {
  if (report.shadow.length === 0) return 'Shadow-mode decisions: none.';
  return `Shadow-mode decisions next to what actually happened:\n${formatTable(
    ['INCIDENT', 'SERVICE', 'POLICY', 'WOULD', 'DECIDED', 'WHAT HAPPENED', 'RESOLVED AFTER'],
    report.shadow.map((s) => [
      s.incident,
      s.service,
      s.policy ?? '-',
      `${s.verdict.replace('would-', '')}${s.decisions > 1 ? ` (x${s.decisions})` : ''}`,
      isoTime(roundDown(s.decidedAt)),
      s.recoveredOnItsOwn ? 'recovered on its own' : OUTCOME_WORDS[s.outcome],
      s.resolvedAfterMs === null ? 'still open' : human(s.resolvedAfterMs),
    ]),
  ).trimEnd()}`;
}

function roundDown(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

import { human, isoTime, maybe, oneLine } from '../../incidents/format.ts';
import type { Report } from '../../incidents/report.ts';
import type { ReportSeries } from '../../incidents/report-series.ts';
import type { DurationStats } from '../../incidents/stats.ts';
import { OUTCOME_WORDS } from '../../incidents/words.ts';
import { windowWords } from '../../policy/chronic.ts';
import { type Html, html, jsonData, pathPart } from './html.ts';

/** What GET /api/v1/report/trends answers. */
export interface Trends {
  report: Report;
  series: ReportSeries;
}

/** The windows the page offers, as the API's `since` takes them. */
export const TREND_WINDOWS = ['1h', '24h', '7d', '30d'] as const;
export type TrendWindow = (typeof TREND_WINDOWS)[number];

export function parseWindow(value: unknown): TrendWindow {
  return (TREND_WINDOWS as readonly unknown[]).includes(value) ? (value as TrendWindow) : '7d';
}

/**
 * The report's figures as charts (drawn by web/trends.js with uPlot from the data block) and as
 * tables: the numbers under each chart are there for whoever cannot see it, and for copying.
 */
export function trendsMain(trends: Trends, window: TrendWindow): Html {
  const { report, series } = trends;
  return html`<h1>Trends <span class="count">incidents opened ${isoTime(report.since)} .. ${isoTime(report.until)}, in buckets of ${human(series.bucketMs)}</span></h1>
<form class="filters" method="get" action="/trends">
<label for="window">Window</label> <select id="window" name="since">${TREND_WINDOWS.map(
    (w) => html`<option value="${w}"${w === window ? html` selected` : ''}>last ${w}</option>`,
  )}</select>
<button type="submit">Show</button>
</form>
${summary(report)}
${jsonData('trends-data', { ...trends, recoveryLabels: series.recovery.bins.map((_, i) => binLabel(series.recovery.bins, i)) })}
${chart('heals', 'Heals per service and runbook', `Heals decided per ${human(series.bucketMs)}, one line per service and runbook.`, healsTable(report))}
${chart('outcomes', 'Heal outcomes and success rate', 'Heals that succeeded, failed or ended unknown, per bucket; the line is the success rate of those that ended.', outcomesTable(series))}
${chart('recovery', 'Time to recover', 'How many incidents recovered within each time (signal to verified healthy, else to resolved).', recoveryTable(report, series))}
${chart('chronic', 'Chronic services', 'Chronic flags per bucket and service: a service healed again and again, whose healing hides a recurring failure.', chronicTable(report))}
${chart('shadow', 'Shadow-mode decisions next to what happened', 'Incidents a shadow or dry-run policy judged, by the bucket of its first decision: what mend would have done, and whether the service recovered on its own.', shadowTable(report))}`;
}

function summary(report: Report): Html {
  const n = report.incidents;
  const rate = report.totals.successRate;
  return html`<section aria-label="Summary" class="summary">
<p><strong>${n.total}</strong> incidents</p>
${(['healed', 'resolved-after-failed-heals', 'resolved-without-heal', 'open'] as const).map(
  (o) => html`<p><strong>${n[o]}</strong> ${OUTCOME_WORDS[o]}</p>`,
)}
<p><strong>${report.totals.attempts}</strong> heals</p>
<p class="${rate === null ? '' : rate < 0.8 ? 'bad' : 'good'}"><strong>${percent(rate)}</strong> succeeded</p>
<p>recover: median <strong>${maybe(report.recovery.all.medianMs)}</strong>, p90 <strong>${maybe(report.recovery.all.p90Ms)}</strong></p>
<p class="${report.chronic.length > 0 ? 'warn' : ''}"><strong>${report.chronic.length}</strong> chronic</p>
<p><strong>${report.escalations.length}</strong> pages</p>
</section>`;
}

/** A chart's place (web/trends.js draws into `[data-chart]`) and its numbers as a table. */
function chart(name: string, title: string, caption: string, table: Html): Html {
  return html`<section class="trend" aria-labelledby="${name}-h"><h2 id="${name}-h">${title}</h2>
<figure><div class="chart" data-chart="${name}" role="img" aria-label="${title}: chart; the table below has its numbers"></div>
<figcaption>${caption}</figcaption></figure>
${table}</section>`;
}

function percent(rate: number | null): string {
  return rate === null ? '-' : `${Math.round(rate * 100)}%`;
}

function healsTable(report: Report): Html {
  if (report.heals.length === 0) return html`<p class="none">No heal in this window.</p>`;
  const row = (r: Omit<Report['heals'][number], 'service' | 'runbook'>, a: string, b: string) =>
    html`<tr><th scope="row">${a}</th><td>${b}</td><td>${r.attempts}</td><td>${r.succeeded}</td><td>${r.failed}</td><td>${r.unknown}</td><td>${r.inFlight}</td><td>${percent(r.successRate)}</td></tr>`;
  return html`<table><thead><tr><th scope="col">Service</th><th scope="col">Runbook</th><th scope="col">Heals</th><th scope="col">Succeeded</th><th scope="col">Failed</th><th scope="col">Unknown</th><th scope="col">In flight</th><th scope="col">Success</th></tr></thead><tbody>
${report.heals.map((r) => row(r, r.service, r.runbook))}
${row(report.totals, '(all)', '')}
</tbody></table>`;
}

function outcomesTable(series: ReportSeries): Html {
  const rows = series.buckets.flatMap((start, i) => {
    const o = series.outcomes;
    const all = o.succeeded[i]! + o.failed[i]! + o.unknown[i]! + o.inFlight[i]!;
    if (all === 0) return [];
    return [
      html`<tr><th scope="row"><time datetime="${isoTime(start)}">${isoTime(start)}</time></th><td>${o.succeeded[i]}</td><td>${o.failed[i]}</td><td>${o.unknown[i]}</td><td>${o.inFlight[i]}</td><td>${percent(o.successRate[i] ?? null)}</td></tr>`,
    ];
  });
  if (rows.length === 0) return html`<p class="none">No heal in this window.</p>`;
  return html`<details><summary>The numbers, per bucket with heals</summary><table><thead><tr><th scope="col">From (UTC)</th><th scope="col">Succeeded</th><th scope="col">Failed</th><th scope="col">Unknown</th><th scope="col">In flight</th><th scope="col">Success</th></tr></thead><tbody>
${rows}
</tbody></table></details>`;
}

/** A bin's name: `≤ 30s`, the last `> 4h`. */
export function binLabel(bins: ReportSeries['recovery']['bins'], index: number): string {
  const bin = bins[index];
  if (bin === undefined) return '';
  if (bin.upToMs !== null) return `≤ ${human(bin.upToMs)}`;
  const last = bins[index - 1]?.upToMs;
  return last === null || last === undefined ? 'any' : `> ${human(last)}`;
}

function recoveryTable(report: Report, series: ReportSeries): Html {
  const stats = (name: string, s: DurationStats) =>
    html`<tr><th scope="row">${name}</th><td>${s.count}</td><td>${maybe(s.medianMs)}</td><td>${maybe(s.p90Ms)}</td></tr>`;
  const { bins } = series.recovery;
  return html`<table><thead><tr><th scope="col">Service</th><th scope="col">Recovered</th><th scope="col">Median</th><th scope="col">P90</th></tr></thead><tbody>
${report.recovery.byService.map((s) => stats(s.service, s))}
${stats('(all)', report.recovery.all)}
</tbody></table>
<p class="none">Down (first failed observation to recovered): median ${maybe(report.impact.medianMs)}, p90 ${maybe(report.impact.p90Ms)}. Time to detect: median ${maybe(report.detect.medianMs)}; to decide: median ${maybe(report.decide.medianMs)}.</p>
<details><summary>The distribution</summary><table><thead><tr><th scope="col">Recovered within</th><th scope="col">Incidents</th></tr></thead><tbody>
${bins.map((b, i) => html`<tr><th scope="row">${binLabel(bins, i)}</th><td>${b.count}</td></tr>`)}
</tbody></table></details>`;
}

function chronicTable(report: Report): Html {
  if (report.chronic.length === 0) return html`<p class="none">No chronic service.</p>`;
  return html`<table><thead><tr><th scope="col">Service</th><th scope="col">Heals</th><th scope="col">Within</th><th scope="col">Incidents</th><th scope="col">Last flagged (UTC)</th><th scope="col">Why</th></tr></thead><tbody>
${report.chronic.map(
  (c) =>
    html`<tr data-chronic="${c.service}"><th scope="row">${c.service}</th><td>${c.heals}</td><td>${windowWords(c.withinMs)}</td><td>${c.incidents.map((id) => html`<a href="/incidents/${pathPart(id)}">${id}</a> `)}</td><td>${isoTime(c.lastFlaggedAt)}</td><td class="detail">${oneLine(c.message)}</td></tr>`,
)}
</tbody></table>`;
}

function shadowTable(report: Report): Html {
  if (report.shadow.length === 0) {
    return html`<p class="none">No shadow-mode or dry-run decision in this window.</p>`;
  }
  return html`<table><thead><tr><th scope="col">Incident</th><th scope="col">Service</th><th scope="col">Policy</th><th scope="col">Would</th><th scope="col">Decided (UTC)</th><th scope="col">What happened</th><th scope="col">Resolved after</th></tr></thead><tbody>
${report.shadow.map(
  (s) =>
    html`<tr data-shadow="${s.incident}"><th scope="row"><a href="/incidents/${pathPart(s.incident)}">${s.incident}</a></th><td>${s.service}</td><td>${s.policy ?? '-'}</td><td>${s.verdict.replace('would-', '')}${s.decisions > 1 ? ` (x${s.decisions})` : ''}</td><td>${isoTime(s.decidedAt)}</td><td>${s.recoveredOnItsOwn ? 'recovered on its own' : OUTCOME_WORDS[s.outcome]}</td><td>${s.resolvedAfterMs === null ? 'still open' : human(s.resolvedAfterMs)}</td></tr>`,
)}
</tbody></table>`;
}

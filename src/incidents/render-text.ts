import { terminalLine } from '../support/terminal-text.ts';
import { clock, human, isoTime, oneLine } from './format.ts';
import type { IncidentView } from './incident-view.ts';
import { figuresLine, OUTCOME_WORDS } from './words.ts';

/**
 * `mend incidents show ID`: the facts at the top, then the timeline, one line per entry, each
 * shown as one line with its controls visible (a recorded error or summary may hold any text).
 */
export function renderText(view: IncidentView): string {
  const f = view.figures;
  const resolved =
    view.resolvedAt === null
      ? 'open'
      : `${isoTime(view.resolvedAt)} after ${human(view.resolvedAt - view.openedAt)}: ${view.resolution ?? 'resolved'}`;
  const facts: [string, string][] = [
    ['Service', view.service],
    ['Status', f.outcome === 'open' ? 'open' : `${view.status} (${OUTCOME_WORDS[f.outcome]})`],
    ['Policy', view.policy ?? 'none matched'],
    ['Opened', isoTime(view.openedAt)],
    ['Resolved', resolved],
    ['Figures', figuresLine(f)],
  ];
  if (f.chronic !== null) facts.push(['CHRONIC', f.chronic.message]);
  const width = Math.max(...facts.map(([k]) => k.length)) + 2;
  const whatWidth = Math.max(8, ...view.timeline.map((e) => e.what.length)) + 2;
  const lines = [
    `Incident ${view.id}: ${view.title}`,
    ...facts.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`),
    '',
    `Timeline (UTC, ${isoTime(view.openedAt).slice(0, 10)}):`,
    ...view.timeline.map(
      (e) => `  ${clock(e.at)}  ${e.what.padEnd(whatWidth)}${oneLine(e.detail, 400)}`,
    ),
  ];
  return `${lines.map(terminalLine).join('\n')}\n`;
}

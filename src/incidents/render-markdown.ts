import type { Observation } from '../signals/observation.ts';
import type { StoredSignal } from '../store/store.ts';
import { bounded, clock, human, isoTime, maybe } from './format.ts';
import type { HealView, IncidentView } from './incident-view.ts';
import { code, codeBlock, table, text } from './markdown.ts';
import { stepResultWords } from './steps.ts';
import { figuresLine, healsWords, OUTCOME_WORDS, recoveryWords } from './words.ts';

/** Bounds, so that a report pasted into a review stays readable. */
export const MARKDOWN_LIMITS = {
  timelineRows: 200,
  observations: 5,
  outputChars: 2000,
  signals: 10,
};

/**
 * The post-incident report: what a person pastes into a review. Sections in the order a review
 * asks its questions: what happened and how bad, how fast mend was, the story, the evidence,
 * why each decision, what ran, who was told, how it ended.
 */
export function renderMarkdown(view: IncidentView): string {
  return `${[
    `# Incident ${text(view.id)}: ${text(view.title)}`,
    chronicBanner(view),
    summary(view),
    impact(view),
    figures(view),
    timeline(view),
    evidence(view),
    decisions(view),
    steps(view),
    notifications(view),
    approvals(view),
    resolution(view),
  ]
    .filter((section) => section !== '')
    .join('\n\n')}\n`;
}

function chronicBanner(view: IncidentView): string {
  const chronic = view.figures.chronic;
  if (chronic === null) return '';
  return [
    '> [!WARNING]',
    `> **Chronic problem.** ${text(chronic.message)}.`,
    '> Each heal restored service, and the failure came back: find and fix its cause instead of healing it again.',
  ].join('\n');
}

function summary(view: IncidentView): string {
  const f = view.figures;
  const service = text(view.service);
  const what = {
    open: `${service} is still unhealthy; mend made ${f.attempts} heal attempt${f.attempts === 1 ? '' : 's'} so far.`,
    healed: `mend healed ${service} (${text(healsWords(f))}).`,
    'resolved-after-failed-heals': `mend's heals did not fix ${service} (${text(healsWords(f))}); it recovered later.`,
    'resolved-without-heal': `${service} recovered without a heal.`,
  }[f.outcome];
  const paged =
    f.pages > 0 ? ` A human was paged (${f.pages} page${f.pages === 1 ? '' : 's'}).` : '';
  const recovered =
    f.timeToRecoverMs === null
      ? ''
      : ` Recovered ${human(f.timeToRecoverMs)} after the signal (${recoveryWords(f)}).`;
  const rows = [
    ['Incident', code(view.id)],
    ['Service', service],
    [
      'Status',
      f.outcome === 'open' ? 'open' : `${text(view.status)} (${OUTCOME_WORDS[f.outcome]})`,
    ],
    ['Policy', view.policy === null ? 'none matched' : text(view.policy)],
    ['Opened', isoTime(view.openedAt)],
    ['Resolved', view.resolvedAt === null ? '-' : isoTime(view.resolvedAt)],
    ['Chronic', f.chronic === null ? 'no' : `yes: ${text(f.chronic.message)}`],
  ];
  return `## Summary\n\n${what}${paged}${recovered}\n\n${table(['', ''], rows)}`;
}

function impact(view: IncidentView): string {
  const f = view.figures;
  const start = f.lead?.startsAt ?? view.openedAt;
  const end = f.recoveredAt ?? view.resolvedAt;
  const rows = [
    [
      isoTime(start),
      f.lead === null ? '-' : isoTime(f.lead.at),
      end === null ? 'not yet' : `${isoTime(end)} (${recoveryWords(f)})`,
      end === null ? 'ongoing' : human(end - start),
    ],
  ];
  return `## Impact window\n\n${table(
    ['Failing since (first failed observation)', 'Detected (signal)', 'Recovered', 'Duration'],
    rows,
  )}`;
}

function figures(view: IncidentView): string {
  const f = view.figures;
  const rows = [
    ['Time to detect', maybe(f.timeToDetectMs), 'first failed observation → signal'],
    [
      'Time to decide',
      maybe(f.timeToDecideMs),
      `signal → first decision${f.decided ? ` (${f.decided})` : ''}`,
    ],
    ['Time to recover', maybe(f.timeToRecoverMs), `signal → ${recoveryWords(f)}`],
    ['Heal attempts', String(f.attempts), text(healsWords(f))],
    ['Pages', String(f.pages), ''],
    ['Shadow / dry-run decisions', `${f.wouldHeal} would heal, ${f.wouldPage} would page`, ''],
    ['Outcome', OUTCOME_WORDS[f.outcome], ''],
  ];
  return `## Figures\n\n${table(['Figure', 'Value', 'Measured'], rows)}\n\n${figuresLine(f)}.`;
}

function timeline(view: IncidentView): string {
  const shown = view.timeline.slice(0, MARKDOWN_LIMITS.timelineRows);
  const more = view.timeline.length - shown.length;
  const rows = shown.map((e) => [clock(e.at), text(e.what), text(e.detail)]);
  const note = more > 0 ? `\n\n(${more} later entries not shown; see --format json.)` : '';
  return `## Timeline\n\nTimes in UTC on ${isoTime(view.openedAt).slice(0, 10)}.\n\n${table(['Time', 'What', 'Detail'], rows)}${note}`;
}

function evidence(view: IncidentView): string {
  const firing = view.signals.filter((s) => s.status === 'firing');
  if (firing.length === 0) return '## Signal and evidence\n\nNo signal with evidence was recorded.';
  const shown = firing.slice(0, MARKDOWN_LIMITS.signals);
  return `## Signal and evidence\n\n${shown.map(signalSection).join('\n\n')}`;
}

function signalSection(signal: StoredSignal): string {
  const name = signal.check ?? signal.source;
  const labels = Object.entries(signal.labels)
    .map(([k, v]) => code(`${k}=${v}`))
    .join(', ');
  const observations = signal.evidence.slice(-MARKDOWN_LIMITS.observations);
  const rows = observations.map((o) => [
    isoTime(o.startedAt),
    o.ok ? 'ok' : 'failed',
    `${Math.round(o.durationMs)}ms`,
    o.status === undefined ? '' : text(String(o.status)),
    text(o.error ?? ''),
  ]);
  const lastFailed = observations.findLast((o) => !o.ok && o.output);
  const parts = [
    `### ${code(name)} firing at ${isoTime(signal.at)}`,
    [
      `- Summary: ${text(signal.summary)}`,
      `- Failing since: ${isoTime(signal.startsAt)} (${human(signal.at - signal.startsAt)} before the signal)`,
      `- Source: ${text(signal.source)}; fingerprint ${code(signal.fingerprint)}`,
      labels ? `- Labels: ${labels}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
    `The last ${observations.length} of ${signal.evidence.length} observation(s) recorded:`,
    table(['Started', 'Result', 'Duration', 'Status', 'Error'], rows),
  ];
  const dependencies = dependencyLines(observations.at(-1));
  if (dependencies) parts.push(`Dependencies the last observation reported:\n\n${dependencies}`);
  if (lastFailed?.output) {
    parts.push(
      `Output of the last failed observation (at most ${MARKDOWN_LIMITS.outputChars} characters):`,
      codeBlock(bounded(lastFailed.output, MARKDOWN_LIMITS.outputChars)),
    );
  }
  return parts.join('\n\n');
}

function dependencyLines(observation: Observation | undefined): string {
  return (observation?.dependencies ?? [])
    .map((d) => `- ${code(d.name)}: ${text(d.reported)}${d.detail ? ` (${text(d.detail)})` : ''}`)
    .join('\n');
}

function decisions(view: IncidentView): string {
  if (view.decisions.length === 0) return '## Decisions\n\nNo decision was recorded.';
  const rows = view.decisions.map((d) => {
    const what = d.verdict ?? d.reason.code;
    const by = [
      d.reason.policy ? `policy ${d.reason.policy}` : '',
      d.reason.guardrail ? `guardrail ${d.reason.guardrail}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const numbers = text(Object.entries(d.reason.numbers).map(numberWords).join(', '));
    const commands = d.commandIds.length > 0 ? ` → ${d.commandIds.map(code).join(', ')}` : '';
    return [
      clock(d.at),
      `${code(what)}${by ? ` (${text(by)})` : ''}`,
      `${text(d.reason.message)}${commands}`,
      numbers,
    ];
  });
  return `## Decisions\n\nEvery reason the engine gave about this incident, with the numbers that decided it.\n\n${table(['Time', 'Decision', 'Reason', 'Numbers'], rows)}`;
}

function steps(view: IncidentView): string {
  if (view.heals.length === 0) return '## Runbook steps\n\nNo heal ran.';
  return `## Runbook steps\n\n${view.heals.map(healSection).join('\n\n')}`;
}

function healSection(heal: HealView): string {
  const result = heal.result === null ? 'no outcome yet' : text(heal.result);
  const took =
    heal.resultAt === null
      ? ''
      : `, ended ${clock(heal.resultAt)} (${human(heal.resultAt - heal.decidedAt)})`;
  const params = Object.entries(heal.params)
    .map(([k, v]) => code(`${k}=${String(v)}`))
    .join(', ');
  const parts = [
    heal.preview
      ? `### Would heal (${heal.preview}, check mode only) ${code(heal.id)}: runbook ${code(heal.runbook)}: ${result}`
      : `### Heal ${code(heal.id)}: runbook ${code(heal.runbook)}, attempt ${heal.attempt}: ${result}`,
    `Decided ${clock(heal.decidedAt)} by policy ${text(heal.policy)}${heal.rung > 0 ? ` (ladder rung ${heal.rung + 1})` : ''}${took}.${params ? ` Parameters: ${params}.` : ''}${heal.resultDetail ? ` Outcome: ${text(heal.resultDetail)}.` : ''}`,
  ];
  const run = runWords(heal);
  if (run !== '') parts.push(run);
  if (heal.steps.length === 0) {
    parts.push('No runbook journal was recorded for this heal.');
    return parts.join('\n\n');
  }
  const rows = heal.steps.map((s) => [
    String(s.stepIndex),
    text(s.section ?? ''),
    `${text(s.name ?? s.kind ?? '')}${s.attempt > 1 ? ` (try ${s.attempt})` : ''}`,
    s.command === null ? '' : code(s.command),
    s.exitCode === null ? '' : String(s.exitCode),
    s.durationMs === null ? '' : human(s.durationMs),
    text(stepResultWords(s)),
  ]);
  parts.push(table(['#', 'Section', 'Step', 'Command', 'Exit', 'Duration', 'Result'], rows));
  for (const s of heal.steps) {
    if (!s.output) continue;
    parts.push(
      `Output of step ${s.stepIndex}${s.name ? ` (${text(s.name)})` : ''}${s.attempt > 1 ? `, try ${s.attempt}` : ''}:`,
      codeBlock(bounded(s.output, MARKDOWN_LIMITS.outputChars)),
    );
  }
  return parts.join('\n\n');
}

function notifications(view: IncidentView): string {
  const rows = view.commands.flatMap((c) => {
    const command = c.command;
    if (command.kind !== 'page' && command.kind !== 'resolvePage') return [];
    const notifiers = command.kind === 'page' ? command.notifiers.join(', ') : '';
    const chronic = command.kind === 'page' && command.chronic ? ' (chronic)' : '';
    return [
      [
        clock(c.decidedAt),
        `${command.kind === 'page' ? 'page' : 'resolve'}${chronic}`,
        code(c.id),
        text(notifiers),
        text(command.summary),
        text(c.status ?? ''),
      ],
    ];
  });
  const deliveries = view.notifications.map(
    (n) => `- ${clock(n.at)} ${text(n.what)}: ${text(n.detail)}`,
  );
  if (rows.length === 0 && deliveries.length === 0) return '## Notifications\n\nNobody was paged.';
  const parts = ['## Notifications'];
  if (rows.length > 0) {
    // Page rows carry a status only when the store links them to the incident.
    const known = rows.some((row) => row[5] !== '');
    const headers = ['Time', 'What', 'Id', 'Notifiers', 'Summary', 'Status'];
    parts.push(
      known
        ? table(headers, rows)
        : table(
            headers.slice(0, 5),
            rows.map((r) => r.slice(0, 5)),
          ),
    );
  }
  if (deliveries.length > 0) parts.push(`Deliveries:\n\n${deliveries.join('\n')}`);
  return parts.join('\n\n');
}

function approvals(view: IncidentView): string {
  if (view.approvals.length === 0) return '';
  const rows = view.approvals.map((a) => [
    clock(a.requestedAt),
    code(a.id),
    text(a.runbook),
    isoTime(a.expiresAt),
    a.verdict === null ? 'waiting' : text(`${a.verdict}${a.actor ? ` by ${a.actor}` : ''}`),
    a.at === null ? '' : clock(a.at),
  ]);
  return `## Approvals\n\n${table(['Requested', 'Id', 'Runbook', 'Expires', 'Answer', 'At'], rows)}`;
}

function resolution(view: IncidentView): string {
  const f = view.figures;
  if (view.resolvedAt === null) {
    return `## Resolution\n\nStill open${f.recoveredAt !== null ? `; verified healthy at ${isoTime(f.recoveredAt)}, waiting for its signals to resolve` : ''}.`;
  }
  return `## Resolution\n\nResolved at ${isoTime(view.resolvedAt)}, ${human(view.resolvedAt - view.openedAt)} after it opened: ${text(view.resolution ?? 'every signal resolved')}. Outcome: ${OUTCOME_WORDS[f.outcome]}.`;
}

/** A reason's number as a reviewer reads it: times (`...At`) and durations (`...Ms`) in words. */
function numberWords([key, value]: [string, number | string]): string {
  if (typeof value !== 'number') return `${key}=${value}`;
  if (key.endsWith('At') || key.endsWith('Until')) return `${key}=${clock(value)}`;
  if (key.endsWith('Ms')) return `${key}=${human(value)}`;
  return `${key}=${value}`;
}

/** The run's own rows, when the executor journaled them: who ran what, and how it ended. */
function runWords(heal: HealView): string {
  const { intent, result } = heal.run;
  const words: string[] = [];
  if (intent !== null) {
    const revision =
      typeof intent.revision === 'string' ? ` (revision ${code(intent.revision)})` : '';
    const actor = typeof intent.actor === 'string' ? ` by ${text(intent.actor)}` : '';
    words.push(`Run of ${code(String(intent.runbook ?? heal.runbook))}${revision}${actor}`);
  }
  if (result !== null && typeof result.outcome === 'string') {
    const detail =
      typeof result.detail === 'string' && result.detail ? `: ${text(result.detail)}` : '';
    words.push(`ended ${text(result.outcome)}${detail}`);
  }
  return words.length === 0 ? '' : `${words.join(', ')}.`;
}

import { humanDuration } from '../config/kinds/duration.ts';
import type { JournalEntry } from '../store/store.ts';
import { terminalBlock, terminalLine } from '../support/terminal-text.ts';
import {
  externalRunWords,
  type JournalPayload,
  type StepIntent,
  type StepRecord,
} from './journal.ts';
import { findStepKind } from './steps/registry.ts';

/** Lines of a step's output shown on the terminal; the journal keeps all of it (bounded). */
const OUTPUT_LINES = 20;

/**
 * The live, step-by-step view of a run for a terminal: one line when a step starts (what runs),
 * one when it ends (status, duration, exit status or error), then its output, indented. It reads
 * the journal rows as they are appended, so it shows exactly what was recorded (redacted). Each
 * line is one line on the terminal, its controls shown (a param or a command's output cannot
 * clear the screen or start a line of its own); output keeps its tabs.
 */
export function formatRecord(phase: JournalEntry['phase'], payload: JournalPayload): string {
  if (payload.type === 'run') {
    if ('outcome' in payload) {
      return `\n${terminalLine(`${payload.outcome.toUpperCase()}: ${payload.detail}`)}\n`;
    }
    const params = Object.entries(payload.params)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join(' ');
    return `${terminalLine(`runbook ${payload.runbook} (revision ${payload.revision}) on ${payload.service}${params ? `, params ${params}` : ''}`)}\n`;
  }
  if (payload.type === 'external') return `${terminalLine(`  ${externalRunWords(payload.run)}`)}\n`;
  if (phase === 'intent') {
    return `${terminalLine(`${where(payload)} ${summarizeStep(payload as StepIntent)}`)}\n`;
  }
  return formatResult(payload as StepRecord);
}

function where(step: {
  section: string;
  index: number;
  name: string;
  kind: string;
  attempt: number;
}): string {
  const attempt = step.attempt > 1 ? ` (attempt ${step.attempt})` : '';
  const kind = step.name === step.kind ? step.kind : `${step.name} (${step.kind})`;
  return `> ${step.section}[${step.index}] ${kind}${attempt}:`;
}

function formatResult(record: StepRecord): string {
  const mark = record.status === 'ok' ? 'ok' : record.status.toUpperCase();
  const ms = record.durationMs;
  const seconds = humanDuration(ms);
  const status =
    record.exitStatus === undefined
      ? ''
      : `, ${findStepKind(record.kind)?.statusName ?? 'exit'} ${record.exitStatus}`;
  const error = record.error === undefined ? '' : `: ${record.error}`;
  const note =
    record.section === 'evidence' && record.status !== 'ok'
      ? ' (evidence: recorded, the heal goes on)'
      : '';
  // Refused, or settled on a restart: no intent line just before says which step it is.
  const alone =
    record.status === 'refused' ||
    record.status === 'interrupted' ||
    (record.status === 'unknown' && record.durationMs === 0);
  let out = terminalLine(
    alone
      ? `${where(record)} ${mark}${error}${note}`
      : `  ${mark} in ${seconds}${status}${error}${note}`,
  );
  out += '\n';
  if (record.output !== undefined && record.output.trim() !== '') {
    const lines = terminalBlock(record.output).replace(/\n$/, '').split('\n');
    const shown = lines.slice(-OUTPUT_LINES);
    if (lines.length > shown.length)
      out += `  | ... ${lines.length - shown.length} earlier line(s) in the journal\n`;
    out += shown.map((line) => `  | ${line}\n`).join('');
  }
  return out;
}

/** What a step runs, in one line, as its kind puts it. */
export function summarizeStep(intent: Pick<StepIntent, 'kind' | 'command'>): string {
  return findStepKind(intent.kind)?.summarize(intent.command) ?? JSON.stringify(intent.command);
}

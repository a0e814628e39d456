import type { IncidentFigures, IncidentOutcome, RunbookHeals } from './figures.ts';
import { maybe } from './format.ts';

/** Figures in words, shared by the text and Markdown forms. */

export const OUTCOME_WORDS: Record<IncidentOutcome, string> = {
  open: 'open',
  healed: 'healed',
  'resolved-after-failed-heals': 'resolved after failed heals',
  'resolved-without-heal': 'resolved without a heal',
};

/** `restart: 2 attempts, 1 succeeded, 1 failed` */
export function healWords(heals: RunbookHeals): string {
  const parts = [`${heals.attempts} attempt${heals.attempts === 1 ? '' : 's'}`];
  for (const key of ['succeeded', 'failed', 'unknown'] as const) {
    if (heals[key] > 0) parts.push(`${heals[key]} ${key === 'unknown' ? 'outcome unknown' : key}`);
  }
  if (heals.inFlight > 0) parts.push(`${heals.inFlight} in flight`);
  return `${heals.runbook}: ${parts.join(', ')}`;
}

export function healsWords(figures: IncidentFigures): string {
  return figures.heals.length === 0 ? 'none' : figures.heals.map(healWords).join('; ');
}

export function recoveryWords(figures: IncidentFigures): string {
  if (figures.recoveredBy === 'verified-heal') return 'verified healthy';
  if (figures.recoveredBy === 'signals-resolved') return 'every signal resolved';
  return 'not recovered yet';
}

/**
 * `down 15s, detect 3s, decide 0s, recover 12s (verified healthy), 1 heal attempt, 0 pages`:
 * down is the impact window (first failed observation to recovery, what an operator means by
 * how long it was down); recover is measured from the signal.
 */
export function figuresLine(figures: IncidentFigures): string {
  return [
    `down ${maybe(figures.impactMs)}`,
    `detect ${maybe(figures.timeToDetectMs)}`,
    `decide ${maybe(figures.timeToDecideMs)}${figures.decided ? ` (${figures.decided})` : ''}`,
    `recover ${maybe(figures.timeToRecoverMs)} (${recoveryWords(figures)})`,
    `${figures.attempts} heal attempt${figures.attempts === 1 ? '' : 's'}`,
    `${figures.pages} page${figures.pages === 1 ? '' : 's'}`,
  ].join(', ');
}

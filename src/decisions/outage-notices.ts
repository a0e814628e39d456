import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { humanDuration } from '../config/kinds/duration.ts';
import type { Held, Outage } from './store-outage.ts';

/**
 * What mend says about its store when it cannot record (the shape the notifiers send without
 * the store, notify/unrecorded-notice.ts): a page when the outage begins, another with what was
 * lost when mend exits during one, a resolve when the store records again. All three carry one
 * dedupKey per store, so PagerDuty keeps them as one alert.
 */
export interface OutageNotice {
  event: 'page' | 'resolve';
  key: string;
  dedupKey: string;
  summary: string;
  reason: { code: string; message: string; numbers: Record<string, number | string> };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One key per store file, whatever the path it was named by. */
export function outageDedupKey(path: string): string {
  return `store-outage:${createHash('sha256').update(resolve(path)).digest('hex').slice(0, 12)}`;
}

export function downNotice(path: string, outage: Outage, held: Held): OutageNotice {
  const dedupKey = outageDedupKey(path);
  return {
    event: 'page',
    key: `${dedupKey}:${Math.round(outage.since)}`,
    dedupKey,
    summary: `mend cannot record in its store ${path}: it acts only on what it has recorded and exits at ${iso(outage.exitAt)} unless the store recovers`,
    reason: {
      code: 'store-outage',
      message: `${outage.reason}; ${held.signals} signal(s) held in memory so far`,
      numbers: {
        since: Math.round(outage.since),
        exitAt: Math.round(outage.exitAt),
        heldSignals: held.signals,
      },
    },
  };
}

/** Everything held at exit, in one line: what the next start will not find recorded. */
export function unrecordedLine(path: string, left: Held, outage: Outage | undefined): string {
  const why = outage
    ? `the store could not record since ${iso(outage.since)}: ${outage.reason}`
    : `store ${path} did not take them before the shutdown deadline`;
  const next =
    left.signals + left.outcomes > 0
      ? ' (the next start probes again, and resumes those heals from their journals)'
      : '';
  return `not recorded at exit: ${left.signals} signal(s), ${left.outcomes} heal outcome(s)${next}; ${why}`;
}

export function exitNotice(path: string, outage: Outage, left: Held, now: number): OutageNotice {
  const dedupKey = outageDedupKey(path);
  return {
    event: 'page',
    key: `${dedupKey}:${Math.round(outage.since)}:exit`,
    dedupKey,
    summary: `mend exited: its store ${path} could not record for ${humanDuration(now - outage.since)}; not recorded: ${left.signals} signal(s), ${left.outcomes} heal outcome(s)`,
    reason: {
      code: 'store-outage-exit',
      message: unrecordedLine(path, left, outage),
      numbers: {
        since: Math.round(outage.since),
        exitedAt: Math.round(now),
        unrecordedSignals: left.signals,
        unrecordedOutcomes: left.outcomes,
      },
    },
  };
}

export function recoveredNotice(path: string, outage: Outage, until: number): OutageNotice {
  const dedupKey = outageDedupKey(path);
  return {
    event: 'resolve',
    key: `${dedupKey}:${Math.round(outage.since)}:resolve`,
    dedupKey,
    summary: `mend records again in its store ${path} after ${humanDuration(until - outage.since)}; the ${outage.mostHeld} signal(s) held were recorded`,
    reason: {
      code: 'store-outage-over',
      message: outage.reason,
      numbers: { since: Math.round(outage.since), until, heldSignals: outage.mostHeld },
    },
  };
}

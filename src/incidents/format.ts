import { humanDuration } from '../config/kinds/duration.ts';

/** How incidents show times and durations: UTC, to the second or the millisecond. */

/** `2026-11-24T10:42:00Z` (milliseconds only when there are some). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `10:42:00.250`: a time of day in UTC, for timelines within one incident. */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/**
 * A duration as a person reads it: `250ms`, `4.2s`, `5m3s`, `2h5m`, `3d4h`. Precision falls as
 * the duration grows; nobody needs the milliseconds of an hour-long outage.
 */
/** A measured time as people read it (config/kinds/duration.ts `humanDuration`). */
export const human = humanDuration;

/** `human`, or `-` for a figure that is not known (yet). */
export function maybe(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : human(ms);
}

/** Text cut to `max` characters, saying how much was left out. */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[... ${text.length - max} more characters not shown]`;
}

/** One line: newlines and runs of spaces folded, cut to `max`. */
export function oneLine(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

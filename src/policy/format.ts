import { formatDuration, humanDuration } from '../config/kinds/duration.ts';

/** RFC 3339 in UTC from epoch ms, without zero milliseconds: `2026-11-24T10:42:00Z`. */
export function iso(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export { formatDuration as duration, humanDuration as elapsed };

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function list(items: readonly string[]): string {
  return items.length === 0 ? 'nobody' : items.join(', ');
}

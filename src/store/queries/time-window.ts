import { epochMs, integer } from '../row-values.ts';
import type { TimeWindow } from '../store.ts';

/** A TimeWindow checked and put in the terms a query needs. */
export interface CheckedWindow {
  since: number | undefined;
  until: number | undefined;
  limit: number | undefined;
  direction: 'asc' | 'desc';
}

export function checkWindow(window: TimeWindow): CheckedWindow {
  const limit = window.limit === undefined ? undefined : integer('limit', window.limit);
  if (limit !== undefined && limit < 0) throw new RangeError(`limit must be >= 0, got ${limit}`);
  return {
    since: window.since === undefined ? undefined : epochMs('since', window.since),
    until: window.until === undefined ? undefined : epochMs('until', window.until),
    limit,
    direction: window.order === 'newest-first' ? 'desc' : 'asc',
  };
}

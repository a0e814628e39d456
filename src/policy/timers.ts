/**
 * Pending wake-ups as JSON: timers bucketed by second, plus the sorted list of seconds that have
 * any. Adding one copies a bucket and (for a new second) the list of seconds, not every timer;
 * finding what is due reads from the front. A timer that no longer matters is not removed: its
 * owner checks on firing that it still expects it (an incident's `wakeAt`, an approval's expiry).
 */
import { emptyTable, type Table, tableGet, tableSet } from './table.ts';

export type Timer =
  | { at: number; kind: 'wake'; service: string; incident: string }
  | { at: number; kind: 'approval'; approval: string };

export interface TimerQueue {
  seconds: number[];
  buckets: Table<Timer[]>;
}

export function emptyTimers(): TimerQueue {
  return { seconds: [], buckets: emptyTable() };
}

export function addTimer(queue: TimerQueue, timer: Timer): TimerQueue {
  const second = Math.floor(timer.at / 1000);
  const key = String(second);
  const bucket = tableGet(queue.buckets, key);
  const buckets = tableSet(queue.buckets, key, bucket ? [...bucket, timer] : [timer]);
  if (bucket) return { seconds: queue.seconds, buckets };
  const seconds = queue.seconds.slice();
  let i = seconds.length;
  while (i > 0 && seconds[i - 1]! > second) i--;
  seconds.splice(i, 0, second);
  return { seconds, buckets };
}

/** The earliest timer time, or null. */
export function nextTimerAt(queue: TimerQueue): number | null {
  const first = queue.seconds[0];
  if (first === undefined) return null;
  return Math.min(...tableGet(queue.buckets, String(first))!.map((timer) => timer.at));
}

/** Remove and return the timers due at `now`, earliest first (ties in the order they were set). */
export function takeDue(queue: TimerQueue, now: number): { queue: TimerQueue; due: Timer[] } {
  const nowSecond = Math.floor(now / 1000);
  const due: Timer[] = [];
  let seconds = queue.seconds;
  let buckets = queue.buckets;
  while (seconds.length > 0 && seconds[0]! <= nowSecond) {
    const key = String(seconds[0]);
    const bucket = tableGet(buckets, key)!;
    const ready = bucket.filter((timer) => timer.at <= now);
    if (ready.length === 0) break;
    due.push(...ready);
    if (ready.length === bucket.length) {
      buckets = tableSet(buckets, key, undefined);
      seconds = seconds.slice(1);
    } else {
      buckets = tableSet(
        buckets,
        key,
        bucket.filter((timer) => timer.at > now),
      );
      break;
    }
  }
  if (due.length === 0) return { queue, due };
  // Stable sort: equal times keep the order they were set in.
  due.sort((a, b) => a.at - b.at);
  return { queue: { seconds, buckets }, due };
}

import { duration } from '../format.ts';
import { reasonOf } from '../judge/judging.ts';
import { type Gate, pass } from '../judge/ruling.ts';

/** `count`: act only once enough matching signals came within the window (checked once). */
export const count: Gate = (j) => {
  const wanted = j.policy!.config.count;
  if (wanted === null || j.inc.counted) return null;
  const since = j.d.now - wanted.withinMs;
  const seen = (j.svc.counts[j.policy!.name] ?? []).filter((at) => at > since).length;
  if (seen >= wanted.atLeast) return pass({ kind: 'incident', set: { counted: true } });
  return {
    kind: 'block',
    verdict: 'wait',
    phase: 'counting',
    blockedBy: 'count',
    reason: reasonOf(
      j,
      'count',
      'count',
      { seen, atLeast: wanted.atLeast, withinMs: wanted.withinMs },
      `${seen} of ${wanted.atLeast} matching signals within ${duration(wanted.withinMs)}: waiting for more`,
    ),
  };
};

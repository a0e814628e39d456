import { duration, elapsed, iso } from '../format.ts';
import { reasonOf } from '../judge/judging.ts';
import type { Gate } from '../judge/ruling.ts';

/** `for`: the incident must stay firing this long (pending -> firing, as in Prometheus). */
export const forDuration: Gate = (j) => {
  const forMs = j.policy!.config.forMs;
  const due = j.inc.since + forMs;
  if (forMs === 0 || j.d.now >= due) return null;
  return {
    kind: 'block',
    verdict: 'wait',
    phase: 'pending',
    blockedBy: 'for',
    wakeAt: due,
    reason: reasonOf(
      j,
      'pending',
      'for',
      { firingMs: j.d.now - j.inc.since, forMs, due },
      `pending: firing for ${elapsed(j.d.now - j.inc.since)} of ${duration(forMs)}; acting at ${iso(due)} if still firing`,
    ),
  };
};

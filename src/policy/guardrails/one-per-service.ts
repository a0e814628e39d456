import { reasonOf } from '../judge/judging.ts';
import type { Gate } from '../judge/ruling.ts';

/** One remediation per service at a time, always, whichever incident or policy asks. */
export const onePerService: Gate = (j) => {
  const busy = j.svc.busy;
  if (busy === null) return null;
  return {
    kind: 'block',
    verdict: 'wait',
    phase: 'waiting',
    blockedBy: 'service-busy',
    reason: reasonOf(
      j,
      'service-busy',
      'service-concurrency',
      { inFlight: busy },
      `waiting: ${busy} is already healing ${j.inc.service} (one remediation per service at a time)`,
    ),
  };
};

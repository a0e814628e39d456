import { reasonOf } from '../judge/judging.ts';
import type { Gate } from '../judge/ruling.ts';

/** No policy decides this incident: it is recorded, and that is all. */
export const noPolicy: Gate = (j) => {
  if (j.policy !== null) return null;
  const what = j.lead?.check ? `check ${j.lead.check} of ${j.inc.service}` : j.inc.service;
  const message =
    j.inc.policy === null
      ? `no policy matched ${what}: recorded only`
      : `policy ${j.inc.policy} no longer exists: recorded only`;
  return {
    kind: 'block',
    verdict: 'observe',
    phase: 'observing',
    blockedBy: 'no-policy',
    reason: reasonOf(j, 'no-policy', undefined, {}, message),
  };
};

import { escalation } from '../commands/page.ts';
import { reasonOf } from '../judge/judging.ts';
import type { Gate } from '../judge/ruling.ts';

/** A policy that observes or pages stops here with its action; a heal policy goes on. */
export const action: Gate = (j) => {
  const policy = j.policy!;
  const { action } = policy.config;
  if (action.kind === 'observe') {
    return {
      kind: 'block',
      verdict: 'observe',
      phase: 'observing',
      blockedBy: 'observe',
      reason: reasonOf(
        j,
        'observe',
        undefined,
        {},
        `policy ${policy.name} observes only: recorded`,
      ),
    };
  }
  if (action.kind !== 'page') return null;
  const page = escalation(j, action.notifiers);
  const reason = reasonOf(
    j,
    'page',
    j.mode ?? undefined,
    {},
    `policy ${policy.name} pages: ${j.lead?.summary ?? j.inc.service}; ${page.words}`,
  );
  return {
    kind: 'block',
    verdict: j.mode === null ? 'page' : 'would-page',
    phase: 'paged',
    blockedBy: 'page',
    reason,
    effects: page.effects(reason),
  };
};

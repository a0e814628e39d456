import { renderParams } from '../commands/heal-command.ts';
import { escalation } from '../commands/page.ts';
import { reasonOf } from '../judge/judging.ts';
import type { Gate } from '../judge/ruling.ts';

/** A template with no value for this signal: never heal with a blank argument; page. */
export const params: Gate = (j) => {
  const rung = j.policy!.rungs[j.inc.rung]!;
  const { missing } = renderParams(j, rung);
  if (missing === null) return null;
  const page = escalation(j, j.policy!.config.escalate.notifiers);
  const reason = reasonOf(
    j,
    'params-error',
    undefined,
    { missing },
    `cannot heal ${j.inc.service} with ${rung.runbook}: {{${missing}}} has no value for this signal; ${page.words}`,
  );
  return {
    kind: 'block',
    verdict: 'escalate',
    phase: 'escalated',
    blockedBy: 'params',
    reason,
    effects: page.effects(reason),
  };
};

import { planHeal } from '../commands/heal-command.ts';
import { reasonOf } from '../judge/judging.ts';
import type { Gate } from '../judge/ruling.ts';

/** Dry-run (Settings or policy) and shadow mode: say what would happen, with the same numbers. */
export const dryRun: Gate = (j) => {
  const { mode } = j;
  if (mode === null) return null;
  const { what, numbers } = planHeal(j);
  const after = j.policy!.config.requireApproval ? ' after approval' : '';
  return {
    kind: 'block',
    verdict: 'would-heal',
    phase: 'observing',
    blockedBy: mode,
    reason: reasonOf(j, mode, mode, numbers, `${mode}: would heal ${what}${after}; nothing runs`),
  };
};

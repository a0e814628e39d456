import { planHeal } from '../commands/heal-command.ts';
import { reasonOf } from '../judge/judging.ts';
import type { Gate } from '../judge/ruling.ts';

/** Dry-run (Settings or policy) and shadow mode: say what would happen, with the same numbers. */
export const dryRun: Gate = (j) => {
  const { mode } = j;
  if (mode === null) return null;
  const { what, numbers, command } = planHeal(j);
  const after = j.policy!.config.requireApproval ? ' after approval' : '';
  // Asked once per incident: a preview runs the tool's check mode, which takes time.
  const id = `${j.inc.id}:preview:${command.attempt}`;
  const preview =
    j.inc.previewed == null
      ? [
          {
            kind: 'preview' as const,
            command: {
              kind: 'preview' as const,
              id,
              idempotencyKey: id,
              incidentId: j.inc.id,
              mode,
              heal: command,
            },
          },
        ]
      : [];
  return {
    kind: 'block',
    verdict: 'would-heal',
    phase: 'observing',
    blockedBy: mode,
    reason: reasonOf(
      j,
      mode,
      mode,
      numbers,
      `${mode}: would heal ${what}${after}; nothing runs but the runbook's check modes`,
    ),
    effects: preview,
  };
};

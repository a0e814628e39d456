import { planHeal } from '../commands/heal-command.ts';
import { duration, iso, list } from '../format.ts';
import { reasonOf } from '../judge/judging.ts';
import type { Gate } from '../judge/ruling.ts';

/** `requireApproval`: ask a human for this attempt; the heal runs once approved (judged again). */
export const approval: Gate = (j) => {
  const { inc, d } = j;
  const config = j.policy!.config;
  const required = config.requireApproval;
  if (required === null || inc.approvedAttempt === inc.attempts + 1) return null;
  const { command, what, numbers } = planHeal(j);
  const approvalId = `${inc.id}:approval:${command.attempt}`;
  const expiresAt = d.now + required.expiresAfterMs;
  const reason = reasonOf(
    j,
    'approval-required',
    'approval',
    { ...numbers, expiresAt },
    `approval required to heal ${what}: mend approve ${approvalId} before ${iso(expiresAt)} (expires after ${duration(required.expiresAfterMs)}; then ${list(config.escalate.notifiers)} paged)`,
  );
  return {
    kind: 'block',
    verdict: 'request-approval',
    phase: 'awaiting-approval',
    blockedBy: 'approval',
    reason,
    effects: [
      {
        kind: 'request-approval',
        command: {
          kind: 'requestApproval',
          approvalId,
          idempotencyKey: approvalId,
          incidentId: inc.id,
          expiresAt,
          heal: command,
          reason,
        },
      },
    ],
  };
};

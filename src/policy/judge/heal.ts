import { healStarted } from '../breaker.ts';
import { planHeal } from '../commands/heal-command.ts';
import { type Judging, reasonOf } from './judging.ts';
import type { Block } from './ruling.ts';

/**
 * Every guardrail let the incident through: heal it. The heal counts against the breaker (as its
 * trial when half-open), and holds the service and a concurrency slot until its outcome.
 */
export function heal(j: Judging): Block {
  const { command, what, numbers, breaker } = planHeal(j);
  const halfOpenTrial = breaker.state === 'half-open';
  return {
    kind: 'block',
    verdict: 'heal',
    phase: 'healing',
    blockedBy: 'none',
    reason: reasonOf(j, 'heal', undefined, numbers, `healing ${what}`),
    effects: [
      {
        kind: 'breaker',
        runbook: command.runbook,
        breaker: healStarted(breaker, command.id, j.d.now),
      },
      { kind: 'heal', command, halfOpenTrial },
    ],
  };
}

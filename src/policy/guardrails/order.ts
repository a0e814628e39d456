import type { Gate } from '../judge/ruling.ts';
import { action } from './action.ts';
import { approval } from './approval.ts';
import { blastRadius } from './blast-radius.ts';
import { breaker } from './breaker.ts';
import { concurrency } from './concurrency.ts';
import { cooldown } from './cooldown.ts';
import { count } from './count.ts';
import { dependency } from './dependency.ts';
import { dryRun } from './dry-run.ts';
import { forDuration } from './for-duration.ts';
import { ladder } from './ladder.ts';
import { noPolicy } from './no-policy.ts';
import { onePerService } from './one-per-service.ts';
import { params } from './params.ts';
import { silence } from './silence.ts';

// After a failed attempt, an exhausted budget is news now: open the breaker and page at once.
// After a verified success the signal usually resolves soon: let the cooldown pass before anything.
const breakerAfterFailure: Gate = (j) => (j.svc.failures > 0 ? breaker(j) : null);
const breakerAfterSuccess: Gate = (j) => (j.svc.failures > 0 ? null : breaker(j));

/**
 * Every guardrail, in the order they are asked (docs/policies.md numbers them): the first that
 * blocks decides. Those from `ladder` on assume a heal policy, which `action` lets through alone.
 * An incident that passes them all is healed (judge/heal.ts).
 */
export const GUARDRAILS: readonly Gate[] = [
  silence,
  dependency,
  noPolicy,
  forDuration,
  count,
  blastRadius,
  action,
  ladder,
  onePerService,
  breakerAfterFailure,
  cooldown,
  breakerAfterSuccess,
  concurrency,
  params,
  dryRun,
  approval,
];

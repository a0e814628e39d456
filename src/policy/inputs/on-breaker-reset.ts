import { closedBreaker } from '../breaker.ts';
import type { Draft } from '../draft.ts';
import { rejudgeBlocked } from '../judge/follow-ups.ts';
import type { BreakerResetInput } from '../types.ts';

/**
 * An operator closes a breaker (audited by the shell). Users of systemd and Nomad complain that a
 * tripped limit cannot be overridden; here it can, and the incidents it held are judged again.
 */
export function onBreakerReset(d: Draft, input: BreakerResetInput): void {
  const existing = d.peek(input.service)?.breakers ?? {};
  const runbooks = Object.keys(existing).filter(
    (runbook) => input.runbook === undefined || runbook === input.runbook,
  );
  const what =
    input.runbook === undefined
      ? `every breaker of ${input.service}`
      : `breaker ${input.service}/${input.runbook}`;
  const reason = d.reason({
    code: 'breaker-reset',
    service: input.service,
    numbers: { breakers: runbooks.length },
    message:
      runbooks.length === 0
        ? `${what} reset by ${input.actor}: nothing to reset`
        : `${what} reset by ${input.actor}: closed, attempts forgotten (${runbooks.join(', ')})`,
  });
  if (runbooks.length === 0) return;
  const svc = d.service(input.service);
  for (const runbook of runbooks) {
    svc.breakers[runbook] = closedBreaker();
  }
  for (const { id } of svc.incidents) {
    d.emit({
      type: 'breaker-reset',
      incidentId: id,
      at: d.now,
      runbooks,
      actor: input.actor,
      reason,
    });
  }
  rejudgeBlocked(d, input.service, 'breaker');
}

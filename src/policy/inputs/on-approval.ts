import { escalation } from '../commands/page.ts';
import type { Draft } from '../draft.ts';
import { elapsed } from '../format.ts';
import { applyRuling } from '../judge/apply.ts';
import { judge } from '../judge/judge.ts';
import { judging, reasonOf } from '../judge/judging.ts';
import { without } from '../records.ts';
import { incidentOf } from '../state.ts';
import type { ApprovalInput } from '../types.ts';

/** A human answered an approval request: approve judges again (guardrails still apply). */
export function onApproval(d: Draft, input: ApprovalInput): void {
  const request = d.state.approvals[input.approvalId];
  if (request === undefined) {
    d.reason({
      code: 'unknown-approval',
      numbers: {},
      message: `${input.verdict} of ${input.approvalId} by ${input.actor}: no such request is open (expired, answered, or its incident closed): ignored`,
    });
    return;
  }
  d.state.approvals = without(d.state.approvals, input.approvalId);
  const svc = d.service(request.service);
  const inc = incidentOf(svc, request.incidentId)!;
  inc.approval = null;
  d.emit({
    type: 'approval',
    incidentId: inc.id,
    at: d.now,
    approvalId: input.approvalId,
    verdict: input.verdict,
    actor: input.actor,
  });
  const j = judging(d, request.service, inc);
  if (input.verdict === 'approve') {
    d.reason(
      reasonOf(
        j,
        'approval-granted',
        'approval',
        { attempt: request.attempt },
        `approved by ${input.actor}`,
      ),
    );
    inc.approvedAttempt = request.attempt;
    inc.phase = 'waiting';
    judge(d, request.service, inc.id);
    return;
  }
  const reason = reasonOf(
    j,
    'approval-denied',
    'approval',
    { attempt: request.attempt },
    `denied by ${input.actor}: not healing ${inc.service}; the incident stays open for a human`,
  );
  applyRuling(d, svc, inc, {
    kind: 'block',
    verdict: 'hold',
    phase: 'denied',
    blockedBy: 'approval',
    reason,
  });
}

/** Nobody answered in time: escalate. */
export function expireApproval(d: Draft, approvalId: string): void {
  const request = d.state.approvals[approvalId]!;
  d.state.approvals = without(d.state.approvals, approvalId);
  const svc = d.service(request.service);
  const inc = incidentOf(svc, request.incidentId)!;
  inc.approval = null;
  d.emit({ type: 'approval', incidentId: inc.id, at: d.now, approvalId, verdict: 'expired' });
  const j = judging(d, request.service, inc);
  const page = escalation(j, j.policy?.config.escalate.notifiers ?? []);
  const waited = j.policy?.config.requireApproval?.expiresAfterMs;
  const reason = reasonOf(
    j,
    'approval-expired',
    'approval',
    { attempt: request.attempt, expiresAt: request.expiresAt },
    `approval ${approvalId} expired unanswered${waited !== undefined ? ` after ${elapsed(waited)}` : ''}: not healing; ${page.words}`,
  );
  applyRuling(d, svc, inc, {
    kind: 'block',
    verdict: 'escalate',
    phase: 'escalated',
    blockedBy: 'approval',
    reason,
    effects: page.effects(reason),
  });
}

import { escalation } from '../commands/page.ts';
import type { Draft } from '../draft.ts';
import { blastRadius, counted, dependencyDown, noPolicy, pending, silenced } from '../gates.ts';
import { breaker, concurrency, cooldown, ladder, serviceBusy } from '../heal-gates.ts';
import { incidentOf } from '../state.ts';
import { heal } from './heal.ts';
import { type Block, type Judging, judging, reasonOf } from './judging.ts';

/** The guardrails every incident passes, in order: the first that blocks decides. */
const GATES: ReadonlyArray<(j: Judging) => Block | null> = [
  silenced,
  dependencyDown,
  noPolicy,
  pending,
  counted,
  blastRadius,
];

/** Phases where a human or a running heal owns the incident: nothing to judge. */
const SETTLED = new Set(['healing', 'awaiting-approval', 'paged', 'escalated', 'denied']);

/**
 * Decide what to do about one open incident now: run the guardrails in order and record the
 * outcome (act, wait, hold, queue, page) with its reason on the incident's timeline.
 */
export function judge(d: Draft, service: string, incidentId: string): void {
  const inc = incidentOf(d.service(service), incidentId);
  if (inc === undefined || SETTLED.has(inc.phase)) return;
  const wasQueued = inc.phase === 'queued';
  // Any timer set earlier is stale from here on; a block below may set a new one.
  inc.wakeAt = null;
  const j = judging(d, service, inc);
  const block = GATES.reduce<Block | null>((found, gate) => found ?? gate(j), null) ?? act(j);
  if (block !== null) apply(j, block);
  if (wasQueued && inc.phase !== 'queued') {
    d.state.queue = d.state.queue.filter((entry) => entry.incident !== inc.id);
  }
}

function apply(j: Judging, block: Block): void {
  const { d, inc } = j;
  inc.phase = block.phase;
  inc.blockedBy = block.blockedBy;
  if (block.wakeAt !== undefined) d.wake(inc, block.wakeAt);
  d.emit({
    type: 'decision',
    incidentId: inc.id,
    at: d.now,
    verdict: block.verdict,
    reason: block.reason,
    commandIds: block.commandIds ?? [],
  });
}

/** The policy's action, behind the heal guardrails. Returns the block, or null after a heal. */
function act(j: Judging): Block | null {
  const policy = j.policy!;
  const { action } = policy.config;
  if (action.kind === 'observe') {
    const reason = reasonOf(
      j,
      'observe',
      undefined,
      {},
      `policy ${policy.name} observes only: recorded`,
    );
    return { verdict: 'observe', phase: 'observing', blockedBy: 'observe', reason };
  }
  if (action.kind === 'page') {
    const page = escalation(j, action.notifiers);
    const reason = reasonOf(
      j,
      'page',
      j.mode ?? undefined,
      {},
      `policy ${policy.name} pages: ${j.lead?.summary ?? j.inc.service}; ${page.words}`,
    );
    const verdict = j.mode === null ? 'page' : 'would-page';
    return { verdict, phase: 'paged', blockedBy: 'page', reason, commandIds: page.emit(reason) };
  }
  const blocked = ladder(j) ?? serviceBusy(j);
  if (blocked !== null) return blocked;
  const rung = policy.rungs[j.inc.rung]!;
  // After a failure, an exhausted budget is news now: open the breaker and page at once. After a
  // verified success, the signal usually resolves soon: let the cooldown pass before anything.
  const first =
    j.svc.failures > 0 ? (breaker(j, rung) ?? cooldown(j)) : (cooldown(j) ?? breaker(j, rung));
  return first ?? concurrency(j) ?? heal(j);
}

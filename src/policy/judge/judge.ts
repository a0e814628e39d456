import type { Draft } from '../draft.ts';
import { GUARDRAILS } from '../guardrails/order.ts';
import { incidentOf } from '../state.ts';
import { applyRuling } from './apply.ts';
import { heal } from './heal.ts';
import { judging } from './judging.ts';

/** Phases where a human or a running heal owns the incident: nothing to judge. */
export const SETTLED: ReadonlySet<string> = new Set([
  'healing',
  'awaiting-approval',
  'paged',
  'escalated',
  'denied',
]);

/**
 * Decide what to do about one open incident now: ask the guardrails in order, apply each ruling,
 * stop at the first block (act, wait, hold, queue, page); past them all, heal.
 */
export function judge(d: Draft, service: string, incidentId: string): void {
  const svc = d.service(service);
  const inc = incidentOf(svc, incidentId);
  if (inc === undefined || SETTLED.has(inc.phase)) return;
  // Any timer set earlier is stale from here on; the block may set a new one.
  inc.wakeAt = null;
  const j = judging(d, service, inc);
  for (const guardrail of GUARDRAILS) {
    const ruling = guardrail(j);
    if (ruling === null) continue;
    applyRuling(d, svc, inc, ruling);
    if (ruling.kind === 'block') return;
  }
  applyRuling(d, svc, inc, heal(j));
}

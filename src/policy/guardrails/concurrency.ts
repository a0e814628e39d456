import { escalation } from '../commands/page.ts';
import { type Judging, reasonOf } from '../judge/judging.ts';
import { type Gate, NO_EFFECTS } from '../judge/ruling.ts';

/** maxConcurrent, global (Settings) and per policy: queue, or page and stop. */
export const concurrency: Gate = (j) => {
  const { d, inc } = j;
  const policy = j.policy!;
  const limit = limitReached(j);
  if (limit === null) return null;
  const head = `${limit.count} of ${limit.max} heals in flight (${limit.scope})`;
  const numbers = { inFlight: limit.count, maxConcurrent: limit.max, scope: limit.scope };
  if (policy.config.onConcurrencyLimit === 'page') {
    const page = escalation(j, policy.config.escalate.notifiers);
    const reason = reasonOf(
      j,
      'concurrency',
      'concurrency',
      numbers,
      `${head}: not queuing (onConcurrencyLimit: page); ${page.words}`,
    );
    return {
      kind: 'block',
      verdict: 'escalate',
      phase: 'escalated',
      blockedBy: 'concurrency',
      reason,
      effects: page.effects(reason),
    };
  }
  const queue = d.state.queue;
  const queued = queue.findIndex((entry) => entry.incident === inc.id) + 1;
  const position = queued === 0 ? queue.length + 1 : queued;
  return {
    kind: 'block',
    verdict: 'queue',
    phase: 'queued',
    blockedBy: 'concurrency',
    reason: reasonOf(
      j,
      'concurrency',
      'concurrency',
      { ...numbers, position },
      `${head}: queued at position ${position}`,
    ),
    effects: queued === 0 ? [{ kind: 'enqueue' }] : NO_EFFECTS,
  };
};

function limitReached(j: Judging): { scope: string; count: number; max: number } | null {
  const { state, compiled } = j.d;
  const policy = j.policy!;
  const global = compiled.settings.maxConcurrent;
  const own = policy.config.maxConcurrent;
  const ownCount = state.inFlightByPolicy[policy.name] ?? 0;
  if (global !== null && state.inFlightCount >= global) {
    return { scope: 'all policies', count: state.inFlightCount, max: global };
  }
  if (own !== null && ownCount >= own) {
    return { scope: `policy ${policy.name}`, count: ownCount, max: own };
  }
  return null;
}

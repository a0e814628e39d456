import { chronicSentence } from '../chronic.ts';
import { list, plural } from '../format.ts';
import { reasonOf } from '../judge/judging.ts';
import type { Effect, Gate } from '../judge/ruling.ts';
import type { PageCommand } from '../types.ts';

/**
 * maxUnhealthy (Cluster API semantics): above it heal nothing, page once for the group, and say
 * so on every held incident. Healing resumes when the count falls back to the limit.
 */
export const blastRadius: Gate = (j) => {
  const policy = j.policy!;
  if (policy.limit === null) return null;
  const { d, inc } = j;
  const blast = d.state.blast[policy.name];
  const unhealthy = blast?.unhealthy ?? 0;
  if (unhealthy <= policy.limit) return null;
  const page = blast?.page ?? null;
  const notifiers = policy.config.escalate.notifiers;
  const max = policy.config.maxUnhealthy!;
  const limit = 'percent' in max ? `${max.percent}% (${policy.limit})` : String(policy.limit);
  const pageWords =
    page !== null
      ? `paged once for the group (${page})`
      : notifiers.length === 0
        ? 'no escalate.notifiers: nobody paged'
        : j.mode !== null
          ? `would page ${list(notifiers)} once for the group (${j.mode})`
          : `paging ${list(notifiers)} once for the group`;
  const reason = reasonOf(
    j,
    'blast-radius',
    'blast-radius',
    { unhealthy, selected: policy.selected, limit: policy.limit },
    `held: ${unhealthy} of ${plural(policy.selected, 'service')} selected by policy ${policy.name} are unhealthy, above maxUnhealthy ${limit}: healing nothing; ${pageWords}`,
  );
  const effects: Effect[] = [];
  if (page === null && notifiers.length > 0 && j.mode === null) {
    const id = `blast:${policy.name}:${d.state.nextGroupPage}`;
    const command: PageCommand = {
      kind: 'page',
      id,
      idempotencyKey: id,
      target: id,
      incidentIds: [inc.id],
      notifiers: [...notifiers],
      summary: `${unhealthy} of ${plural(policy.selected, 'service')} unhealthy (policy ${policy.name}): healing stopped${inc.chronic ? `; ${inc.service} is chronic: ${chronicSentence(inc.chronic)}` : ''}`,
      reason,
      ...(inc.chronic ? { chronic: true } : {}),
    };
    effects.push({ kind: 'group-page', policy: policy.name, command });
  }
  effects.push({ kind: 'held-by-blast', policy: policy.name });
  return {
    kind: 'block',
    verdict: 'hold',
    phase: 'held',
    blockedBy: 'blast-radius',
    reason,
    effects,
  };
};

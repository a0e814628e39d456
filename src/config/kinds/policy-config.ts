import type { PolicyConfig } from '../config.ts';
import type { ValidDocument } from '../valid-document.ts';
import { parseDuration } from './duration.ts';
import { toMatchers } from './matcher.ts';
import type { PolicySpec } from './policy-spec.ts';

const ms = (text: string) => parseDuration(text)!;

/** A Policy document as the engine reads it: durations in ms, matchers parsed, one action. */
export function policyConfig(document: ValidDocument<PolicySpec>): PolicyConfig {
  const { spec } = document;
  const { match } = spec;
  return {
    name: document.metadata.name,
    labels: document.metadata.labels,
    priority: spec.priority,
    match: {
      sources: match.sources,
      matchers: toMatchers(match.matchers),
      services: match.services
        ? { names: match.services.names, matchers: toMatchers(match.services.matchers) }
        : null,
      roles: match.roles,
    },
    when: spec.when ?? null,
    forMs: ms(spec.for),
    count: spec.count ? { atLeast: spec.count.atLeast, withinMs: ms(spec.count.within) } : null,
    action: spec.heal
      ? { kind: 'heal', rungs: [{ ...spec.heal, deadlineMs: null }] }
      : spec.ladder
        ? {
            kind: 'heal',
            rungs: spec.ladder.map((rung) => ({
              runbook: rung.runbook,
              params: rung.params,
              deadlineMs: ms(rung.deadline),
            })),
          }
        : spec.page
          ? { kind: 'page', notifiers: spec.page.notifiers }
          : { kind: 'observe' },
    escalate: spec.escalate,
    maxAttempts: spec.maxAttempts,
    windowMs: ms(spec.window),
    cooldownMs: ms(spec.cooldown),
    backoff: spec.backoff ? { maxMs: ms(spec.backoff.max) } : null,
    maxConcurrent: spec.maxConcurrent ?? null,
    onConcurrencyLimit: spec.onConcurrencyLimit,
    maxUnhealthy:
      spec.maxUnhealthy === undefined
        ? null
        : typeof spec.maxUnhealthy === 'number'
          ? { count: spec.maxUnhealthy }
          : { percent: Number(spec.maxUnhealthy.slice(0, -1)) },
    requireApproval: spec.requireApproval
      ? { expiresAfterMs: ms(spec.requireApproval.expiresAfter) }
      : null,
    dryRun: spec.dryRun,
    shadow: spec.shadow,
    source: document.position,
  };
}

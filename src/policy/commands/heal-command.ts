import type { HealParams } from '../../config/config.ts';
import type { Ref, TemplatePart } from '../../config/template.ts';
import { breakerAt } from '../breaker.ts';
import type { CompiledRung } from '../compile.ts';
import { duration } from '../format.ts';
import type { Judging } from '../judge/judging.ts';
import type { BreakerState } from '../state.ts';
import type { HealCommand, Reason } from '../types.ts';

/** The heal of an incident that every guardrail so far let through, and how reasons say it. */
export interface HealPlan {
  command: HealCommand;
  /** `api with restart (attempt 2 of 3 within 1h)`: the heal, and where it stands in the budget. */
  what: string;
  numbers: Reason['numbers'];
  /** The breaker as time has moved it: in half-open, this heal is its trial. */
  breaker: BreakerState;
}

export function planHeal(j: Judging): HealPlan {
  const { inc } = j;
  const policy = j.policy!;
  const config = policy.config;
  const rung = policy.rungs[inc.rung]!;
  // Complete: the params guardrail has stopped an incident whose parameters do not render.
  const { params } = renderParams(j, rung);
  const attempt = inc.attempts + 1;
  const breaker = breakerAt(j.svc.breakers[rung.runbook], j.d.now, config.windowMs);
  const used = breaker.attempts.length + 1;
  const rungWords =
    policy.rungs.length > 1
      ? `; rung ${inc.rung + 1} of ${policy.rungs.length}${rung.deadlineMs !== null ? `, deadline ${duration(rung.deadlineMs)}` : ''}`
      : '';
  const trial = breaker.state === 'half-open' ? '; breaker half-open: one trial' : '';
  return {
    command: healCommand(j, rung, params, attempt),
    what: `${inc.service} with ${rung.runbook} (attempt ${used} of ${config.maxAttempts} within ${duration(config.windowMs)}${rungWords}${trial})`,
    numbers: {
      attempt,
      windowAttempt: used,
      maxAttempts: config.maxAttempts,
      windowMs: config.windowMs,
      rung: inc.rung,
    },
    breaker,
  };
}

/**
 * Runbook parameters with {{...}} filled in, and the first reference that has no value for this
 * signal (null when none): the parameters are then incomplete, and must not be used.
 */
export function renderParams(
  j: Judging,
  rung: CompiledRung,
): { params: HealParams; missing: string | null } {
  const out: HealParams = {};
  for (const [key, template] of Object.entries(rung.templates)) {
    if (!Array.isArray(template)) {
      out[key] = template;
      continue;
    }
    let text = '';
    for (const part of template as TemplatePart[]) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      const value = lookup(j, part.ref);
      if (value === undefined) return { params: out, missing: part.text.slice(2, -2).trim() };
      text += value;
    }
    out[key] = text;
  }
  return { params: out, missing: null };
}

function lookup(j: Judging, ref: Ref): string | undefined {
  const signal = j.lead;
  if (ref.kind === 'label') {
    const labels = ref.of === 'service' ? j.service.labels : signal?.labels;
    return labels && Object.hasOwn(labels, ref.key) ? labels[ref.key] : undefined;
  }
  if (ref.kind === 'param') return undefined; // not a policy reference: the load refused it
  switch (ref.name) {
    case 'incident.id':
      return j.inc.id;
    case 'service.name':
      return j.inc.service;
    case 'signal.service':
      return signal && j.inc.service;
    case 'signal.check':
      return signal?.check ?? undefined;
    case 'signal.source':
      return signal?.source;
    case 'signal.fingerprint':
      return signal?.fingerprint;
    default:
      return undefined;
  }
}

function healCommand(
  j: Judging,
  rung: CompiledRung,
  params: HealParams,
  attempt: number,
): HealCommand {
  const id = `${j.inc.id}:heal:${attempt}`;
  return {
    kind: 'heal',
    id,
    idempotencyKey: id,
    incidentId: j.inc.id,
    service: j.inc.service,
    runbook: rung.runbook,
    params,
    policy: j.policy!.name,
    rung: j.inc.rung,
    attempt,
  };
}

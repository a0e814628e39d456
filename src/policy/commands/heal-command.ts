import type { HealParams } from '../../config/config.ts';
import type { TemplatePart } from '../../config/kinds/template.ts';
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
      if (value === undefined) return { params: out, missing: part.ref.join('.') };
      text += value;
    }
    out[key] = text;
  }
  return { params: out, missing: null };
}

function lookup(j: Judging, ref: string[]): string | undefined {
  const [root, field, label] = ref;
  const signal = j.lead;
  if (root === 'incident') return j.inc.id;
  if (root === 'service') {
    if (field === 'name') return j.inc.service;
    return Object.hasOwn(j.service.labels, label!) ? j.service.labels[label!] : undefined;
  }
  if (signal === undefined) return undefined;
  switch (field) {
    case 'labels':
      return Object.hasOwn(signal.labels, label!) ? signal.labels[label!] : undefined;
    case 'service':
      return j.inc.service;
    case 'check':
      return signal.check ?? undefined;
    case 'source':
      return signal.source;
    case 'fingerprint':
      return signal.fingerprint;
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

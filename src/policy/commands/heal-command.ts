import type { HealParams } from '../../config/config.ts';
import type { TemplatePart } from '../../config/kinds/template.ts';
import type { CompiledRung } from '../compile.ts';
import type { Judging } from '../judge/judging.ts';
import type { HealCommand } from '../types.ts';

/** Runbook parameters with {{...}} filled in, or the first reference that has no value. */
export function renderParams(
  j: Judging,
  rung: CompiledRung,
): { params: HealParams } | { missing: string } {
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
      if (value === undefined) return { missing: part.ref.join('.') };
      text += value;
    }
    out[key] = text;
  }
  return { params: out };
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

export function healCommand(
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

import type { HealParams } from '../config/config.ts';
import type { TemplatePart } from '../config/kinds/template.ts';
import { chronicSentence } from './chronic.ts';
import type { CompiledRung } from './compile.ts';
import type { Draft } from './draft.ts';
import { list } from './format.ts';
import type { Judging } from './judging.ts';
import type { IncidentState } from './state.ts';
import type { HealCommand, PageCommand, Reason } from './types.ts';

/**
 * Paging an incident: at most one open page per incident (later escalations say it is already
 * paged), none in shadow or dry-run mode, none without notifiers. Returns the words the reason
 * ends with, and emits the page once the reason exists.
 */
export function escalation(j: Judging, notifiers: readonly string[]) {
  const open = j.inc.pages[0];
  const words =
    open !== undefined
      ? `already paged (${open})`
      : notifiers.length === 0
        ? 'no escalate.notifiers: nobody paged'
        : j.mode !== null
          ? `would page ${list(notifiers)} (${j.mode})`
          : `paging ${list(notifiers)}`;
  const chronic = j.inc.chronic ? ` (chronic: ${chronicSentence(j.inc.chronic)})` : '';
  const send = open === undefined && notifiers.length > 0 && j.mode === null;
  return {
    words: words + chronic,
    emit(reason: Reason): string[] {
      if (!send) return [];
      const id = `${j.inc.id}:page:${j.inc.pages.length + 1}`;
      const page: PageCommand = {
        kind: 'page',
        id,
        idempotencyKey: id,
        target: j.inc.id,
        incidentIds: [j.inc.id],
        notifiers: [...notifiers],
        summary: `${j.inc.service}: ${j.lead?.summary ?? 'unhealthy'}${chronic}`,
        reason,
      };
      if (chronic !== '') page.chronic = true;
      j.d.commands.push(page);
      j.inc.pages.push(id);
      return [id];
    },
  };
}

/** Resolve the incident's open pages (it closed). */
export function resolvePages(d: Draft, inc: IncidentState, summary: string): void {
  for (const id of inc.pages) {
    // Its own key: resolving is a second delivery about the same page, not a repeat of it.
    d.commands.push({
      kind: 'resolvePage',
      id,
      idempotencyKey: `${id}:resolve`,
      target: inc.id,
      summary,
    });
  }
  inc.pages = [];
}

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

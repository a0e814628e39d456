import { chronicSentence } from '../chronic.ts';
import { list } from '../format.ts';
import type { Judging } from '../judge/judging.ts';
import { type Effect, NO_EFFECTS } from '../judge/ruling.ts';
import type { PageCommand, Reason } from '../types.ts';

export interface Escalation {
  /** What the reason ends with: `paging oncall`, `already paged (inc-1:page:1)`, ... */
  words: string;
  /** The page to send with that reason, as an effect (none when nobody is to be paged now). */
  effects(reason: Reason): readonly Effect[];
}

/**
 * Paging an incident: at most one open page per incident (later escalations say it is already
 * paged), none in shadow or dry-run mode, none without notifiers. The words come first because
 * the reason quotes them, and the page carries the reason.
 */
export function escalation(j: Judging, notifiers: readonly string[]): Escalation {
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
    effects(reason: Reason): readonly Effect[] {
      if (!send) return NO_EFFECTS;
      const id = `${j.inc.id}:page:${j.inc.pages.length + 1}`;
      const command: PageCommand = {
        kind: 'page',
        id,
        idempotencyKey: id,
        target: j.inc.id,
        incidentIds: [j.inc.id],
        notifiers: [...notifiers],
        summary: `${j.inc.service}: ${j.lead?.summary ?? 'unhealthy'}${chronic}`,
        reason,
      };
      if (chronic !== '') command.chronic = true;
      return [{ kind: 'page', command }];
    },
  };
}

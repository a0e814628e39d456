import { chronicSentence } from '../chronic.ts';
import { list } from '../format.ts';
import type { Judging } from '../judge/judging.ts';
import type { PageCommand, Reason } from '../types.ts';

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

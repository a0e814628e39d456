import { human, isoTime } from '../../incidents/format.ts';
import { type Html, html } from './html.ts';

/** A time as the dashboard shows it: relative to now, the exact UTC time on hover and for machines. */
export function timeAgo(at: number | null | undefined, now: number): Html {
  if (at === null || at === undefined) return html`-`;
  const delta = now - at;
  const words = delta >= 0 ? `${human(delta)} ago` : `in ${human(-delta)}`;
  return html`<time datetime="${isoTime(at)}" title="${isoTime(at)}">${words}</time>`;
}

import { human, isoTime } from '../../incidents/format.ts';
import { type Html, html } from './html.ts';

/** A time as the dashboard shows it: relative to now, the exact UTC time on hover and for machines. */
export function timeAgo(at: number | null | undefined, now: number): Html {
  if (at === null || at === undefined) return html`-`;
  const delta = now - at;
  const words = delta >= 0 ? `${human(delta)} ago` : `in ${human(-delta)}`;
  return html`<time datetime="${isoTime(at)}" title="${isoTime(at)}">${words}</time>`;
}

/**
 * A deadline that counts down between refreshes: web/dashboard.js rewrites it every second from
 * `data-remaining-ms`, counted from when the page received it, so the browser's clock (which
 * may be off from mend's) never enters.
 */
export function countdown(at: number, now: number): Html {
  const left = at - now;
  const words = left > 0 ? `in ${human(left)}` : 'expired';
  return html`<time datetime="${isoTime(at)}" title="${isoTime(at)}" data-remaining-ms="${Math.round(left)}">${words}</time>`;
}

import { bound, type Notification } from '../notification.ts';
import {
  approvalLines,
  chronicText,
  evidenceLines,
  plainText,
  timelineLine,
  titleOf,
} from '../render-text.ts';

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

/** The same content as the plain text, as simple HTML that mail clients render alike. */
export function emailMessage(n: Notification, subjectPrefix: string): EmailMessage {
  const id = n.incidents.join(', ') || n.dedupKey;
  // Subjects over ~200 characters are cut by clients anyway; keep them one readable line.
  const subject = bound(`${subjectPrefix} ${titleOf(n)} (${id})`.trim(), 200);
  const pre = (lines: string[]) => `<pre>${escapeHtml(lines.join('\n'))}</pre>`;
  const chronic = chronicText(n);
  const parts = [
    `<h2>${escapeHtml(titleOf(n))}</h2>`,
    '<table>',
    ...[
      ['Service', n.service ?? '-'],
      ['Incident', id],
      ['Attempts', String(n.attempts)],
    ].map(([k, v]) => `<tr><th align="left">${k}</th><td>${escapeHtml(v!)}</td></tr>`),
    '</table>',
    chronic ? `<p><strong>${escapeHtml(chronic)}</strong></p>` : '',
    n.reason
      ? `<p><strong>Reason</strong> <code>${escapeHtml(n.reason.code)}</code>: ${escapeHtml(n.reason.message)}</p>`
      : '',
    n.approval ? pre(approvalLines(n)) : '',
    n.evidence.length > 0 ? `<h3>Evidence</h3>${pre(n.evidence.flatMap(evidenceLines))}` : '',
    n.timeline.length > 0 ? `<h3>Timeline</h3>${pre(n.timeline.map(timelineLine))}` : '',
    n.link ? `<p><a href="${escapeHtml(n.link)}">Open the incident</a></p>` : '',
  ];
  const html = `<!doctype html><html><body>${parts.filter((p) => p !== '').join('\n')}</body></html>\n`;
  return { subject, text: plainText(n), html };
}

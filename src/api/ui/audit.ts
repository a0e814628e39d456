import { bounded, isoTime } from '../../incidents/format.ts';
import { AUDIT_ACTIONS } from '../../store/audit-vocabulary.ts';
import type { StoredAuditEntry } from '../../store/store.ts';
import type { AuditVerification } from '../../store/verify-audit.ts';
import { type Html, html } from './html.ts';

/** The audit page's filters, from its query string (the API's own, passed on). */
export interface AuditFilter {
  actor: string;
  action: string;
  limit: number;
}

const LIMITS = [50, 100, 200, 500] as const;
const PARAMS_MAX = 600;

export function parseAuditFilter(query: Record<string, unknown>): AuditFilter {
  const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 200) : '');
  const limit = Number(query.limit);
  return {
    actor: text(query.actor),
    action: Object.hasOwn(AUDIT_ACTIONS, text(query.action)) ? text(query.action) : '',
    limit: (LIMITS as readonly number[]).includes(limit) ? limit : 100,
  };
}

/** The API path that lists what the filter asks for. */
export function auditPath(filter: AuditFilter): string {
  const query = new URLSearchParams({ limit: String(filter.limit) });
  if (filter.actor !== '') query.set('actor', filter.actor);
  if (filter.action !== '') query.set('action', filter.action);
  return `/audit?${query}`;
}

/** The audit log, newest first, under what the hash chain says of it (admins only: the API's rule). */
export function auditMain(
  verification: AuditVerification,
  rows: StoredAuditEntry[],
  filter: AuditFilter,
): Html {
  return html`<h1>Audit log</h1>
${verificationBanner(verification)}
<form class="filters" method="get" action="/audit" role="search">
<label for="actor">Actor</label> <input id="actor" name="actor" value="${filter.actor}" placeholder="token:NAME, cli:USER">
<label for="action">Action</label> <select id="action" name="action"><option value="">(any)</option>${Object.keys(
    AUDIT_ACTIONS,
  ).map(
    (a) => html`<option value="${a}"${a === filter.action ? html` selected` : ''}>${a}</option>`,
  )}</select>
<label for="limit">Rows</label> <select id="limit" name="limit">${LIMITS.map(
    (n) => html`<option value="${n}"${n === filter.limit ? html` selected` : ''}>${n}</option>`,
  )}</select>
<button type="submit">Show</button>
</form>
<section aria-labelledby="rows-h"><h2 id="rows-h">Rows, newest first <span class="count">${rows.length}${rows.length === filter.limit ? ' (more below: raise Rows or filter)' : ''}</span></h2>
${
  rows.length === 0
    ? html`<p class="none">No row matches.</p>`
    : html`<table class="audit"><thead><tr><th scope="col">Seq</th><th scope="col">At (UTC)</th><th scope="col">Actor</th><th scope="col">Role</th><th scope="col">Source</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Result</th><th scope="col">Params</th></tr></thead><tbody>
${rows.map(row)}
</tbody></table>`
}</section>`;
}

function verificationBanner(v: AuditVerification): Html {
  const head = html`head seq <code>${v.head.seq}</code>, hash <code class="hash">${v.head.hash}</code>`;
  if (v.ok) {
    return html`<p class="answer ok" role="status" data-audit-verified="true"><strong>Chain verified:</strong> all ${v.verified} rows hold; ${head}. Keep the head somewhere else (<code>mend audit verify</code> prints it): a writer of the store could rewrite the whole chain, and only an exported head shows that.</p>`;
  }
  return html`<p class="answer refused" role="alert" data-audit-verified="false"><strong>Chain broken:</strong> ${v.problem.message}. ${v.verified} rows held before it; ${head}.</p>`;
}

function row(entry: StoredAuditEntry): Html {
  const params = JSON.stringify(entry.params ?? null);
  return html`<tr data-seq="${entry.seq}"><td>${entry.seq}</td><td class="at"><time datetime="${isoTime(entry.at)}">${isoTime(entry.at)}</time></td><td>${entry.actor}</td><td>${entry.role ?? '-'}</td><td>${entry.source ?? '-'}</td><td><code>${entry.action}</code></td><td class="detail">${entry.target}</td><td><span class="badge ${entry.result === 'ok' || entry.result === 'accepted' ? 'good' : entry.result === 'refused' ? 'bad' : 'warn'}">${entry.result}</span></td><td class="detail">${
    params === '{}' || params === 'null' ? '' : html`<code>${bounded(params, PARAMS_MAX)}</code>`
  }</td></tr>`;
}

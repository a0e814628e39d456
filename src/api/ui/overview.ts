import { permits } from '../auth/roles.ts';
import type {
  ApprovalItem,
  BreakerItem,
  IncidentItem,
  RunbookItem,
  ServiceItem,
  SilenceItem,
} from './api-views.ts';
import { type Html, html, pathPart } from './html.ts';
import type { Session } from './sessions.ts';
import { countdown, timeAgo } from './time-text.ts';

/** What the overview shows, read from the API with the session's token. */
export interface OverviewData {
  services: ServiceItem[];
  incidents: IncidentItem[];
  breakers: BreakerItem[];
  approvals: ApprovalItem[];
  silences: SilenceItem[];
}

/** The grid's filters, from the query string of the fragment (the filter form's fields). */
export interface ServiceFilter {
  q: string;
  group: string;
  show: 'all' | 'failing';
  /** A table row per service, or a map of small cells: 500 services on one wall screen. */
  view: 'table' | 'map';
}

export function parseFilter(query: Record<string, unknown>): ServiceFilter {
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 200) : '');
  return {
    q: text(query.q).trim(),
    group: text(query.group).trim(),
    show: query.show === 'failing' ? 'failing' : 'all',
    view: query.view === 'map' ? 'map' : 'table',
  };
}

/** The live part of the overview: refreshed whole when something is recorded. */
export function overviewFragment(
  data: OverviewData,
  filter: ServiceFilter,
  session: Session,
  now: number,
): Html {
  const failing = data.services.filter(isFailing);
  const open = data.breakers.filter((b) => b.state !== 'closed');
  const chronic = data.incidents.filter((i) => i.chronic);
  return html`<section aria-label="Summary" class="summary">
<p><strong>${data.services.length}</strong> services</p>
<p class="${failing.length > 0 ? 'bad' : 'good'}"><strong>${failing.length}</strong> failing</p>
<p><strong>${data.incidents.length}</strong> open incidents</p>
<p class="${data.approvals.length > 0 ? 'warn' : ''}"><strong>${data.approvals.length}</strong> approvals waiting</p>
<p class="${open.length > 0 ? 'bad' : ''}"><strong>${open.length}</strong> open breakers</p>
<p class="${chronic.length > 0 ? 'warn' : ''}"><strong>${chronic.length}</strong> chronic</p>
</section>
${approvalsTable(data.approvals, session, now)}
${incidentsTable(data.incidents, now)}
${breakersTable(open, session, now)}
${silencesTable(data.silences, session, now)}
${servicesGrid(data.services, filter, now)}`;
}

function approvalsTable(approvals: ApprovalItem[], session: Session, now: number): Html {
  const decide = permits(session.role, 'approvals:decide');
  return html`<section aria-labelledby="approvals-h"><h2 id="approvals-h">Approvals waiting</h2>
${
  approvals.length === 0
    ? html`<p class="none">No heal waits for approval.</p>`
    : html`<table><thead><tr><th scope="col">Approval</th><th scope="col">Service</th><th scope="col">Attempt</th><th scope="col">Expires</th>${decide ? html`<th scope="col">Decide</th>` : ''}</tr></thead><tbody>
${approvals.map(
  (
    a,
  ) => html`<tr data-approval="${a.id}"><td><a href="/incidents/${pathPart(a.incidentId)}">${a.id}</a></td><td>${a.service}</td><td>${a.attempt}</td><td>${countdown(a.expiresAt, now)}</td>
${decide ? html`<td class="actions">${approvalButtons(a.id)}</td>` : ''}</tr>`,
)}
</tbody></table>`
}</section>`;
}

/** Approve and deny, posted with the CSRF header; the answer goes to the page's answer region. */
export function approvalButtons(id: string): Html {
  return html`<button type="button" hx-post="/ui/actions/approvals/${pathPart(id)}/approve" hx-target="#answer">Approve</button>
<button type="button" class="danger" hx-post="/ui/actions/approvals/${pathPart(id)}/deny" hx-target="#answer" hx-confirm="Deny ${id}? The incident escalates to a person.">Deny</button>`;
}

function incidentsTable(incidents: IncidentItem[], now: number): Html {
  return html`<section aria-labelledby="incidents-h"><h2 id="incidents-h">Open incidents</h2>
${
  incidents.length === 0
    ? html`<p class="none">No open incident.</p>`
    : html`<table><thead><tr><th scope="col">Incident</th><th scope="col">Service</th><th scope="col">Phase</th><th scope="col">Opened</th><th scope="col">Heals</th><th scope="col">What</th></tr></thead><tbody>
${incidents.map(
  (
    i,
  ) => html`<tr data-incident="${i.id}"><td><a href="/incidents/${pathPart(i.id)}">${i.id}</a></td><td>${i.service}</td>
<td><span class="phase phase-${i.phase ?? 'none'}">${i.phase ?? 'closing'}</span>${i.chronic ? html` <span class="badge warn">chronic</span>` : ''}</td>
<td>${timeAgo(i.openedAt, now)}</td><td>${i.attempts}</td><td>${i.title}</td></tr>`,
)}
</tbody></table>`
}</section>`;
}

function breakersTable(open: BreakerItem[], session: Session, now: number): Html {
  const reset = permits(session.role, 'breakers:reset');
  return html`<section aria-labelledby="breakers-h"><h2 id="breakers-h">Open breakers</h2>
${
  open.length === 0
    ? html`<p class="none">No breaker is open.</p>`
    : html`<table><thead><tr><th scope="col">Service</th><th scope="col">Runbook</th><th scope="col">State</th><th scope="col">Heals in window</th><th scope="col">Open until</th>${reset ? html`<th scope="col">Reset</th>` : ''}</tr></thead><tbody>
${open.map(
  (
    b,
  ) => html`<tr data-breaker="${b.service}/${b.runbook}"><td>${b.service}</td><td>${b.runbook}</td><td><span class="badge bad">${b.state}</span></td><td>${b.attempts.length}</td><td>${timeAgo(b.openUntil, now)}</td>
${
  reset
    ? html`<td class="actions"><button type="button" class="danger" hx-post="/ui/actions/breakers/${pathPart(b.service)}/reset" hx-vals="${JSON.stringify({ runbook: b.runbook })}" hx-target="#answer" hx-confirm="Reset the breaker of ${b.service}/${b.runbook}? It forgets ${b.attempts.length} heal(s) in its window, and mend may heal ${b.service} again at once.">Reset</button></td>`
    : ''
}</tr>`,
)}
</tbody></table>`
}</section>`;
}

function silencesTable(silences: SilenceItem[], session: Session, now: number): Html {
  const write = permits(session.role, 'silences:write');
  return html`<section aria-labelledby="silences-h"><h2 id="silences-h">Silences</h2>
${
  silences.length === 0
    ? html`<p class="none">No active or coming silence.</p>`
    : html`<table><thead><tr><th scope="col">Silence</th><th scope="col">Matchers</th><th scope="col">From</th><th scope="col">Until</th><th scope="col">Comment</th><th scope="col">By</th>${write ? html`<th scope="col">Expire</th>` : ''}</tr></thead><tbody>
${silences.map(
  (
    s,
  ) => html`<tr data-silence="${s.id}"><td>${s.id}</td><td><code>${s.matchers.join(', ')}</code></td><td>${timeAgo(s.startsAt, now)}</td><td>${timeAgo(s.endsAt, now)}</td><td>${s.comment}</td><td>${s.createdBy}</td>
${
  write
    ? html`<td class="actions">${
        s.source === undefined
          ? html`<button type="button" hx-post="/ui/actions/silences/${pathPart(s.id)}/expire" hx-target="#answer" hx-confirm="Expire silence ${s.id} now?">Expire</button>`
          : html`<span class="none">in ${s.source}</span>`
      }</td>`
    : ''
}</tr>`,
)}
</tbody></table>`
}</section>`;
}

/** The label keys services have, for the grouping choice. */
export function labelKeys(services: ServiceItem[]): string[] {
  return [...new Set(services.flatMap((s) => Object.keys(s.labels)))].sort();
}

function matches(service: ServiceItem, filter: ServiceFilter): boolean {
  if (filter.show === 'failing' && !isFailing(service)) return false;
  if (filter.q === '') return true;
  const q = filter.q.toLowerCase();
  const haystack = [service.name, ...Object.entries(service.labels).map(([k, v]) => `${k}=${v}`)];
  return haystack.some((text) => text.toLowerCase().includes(q));
}

function isFailing(service: ServiceItem): boolean {
  return !service.healthy || service.checks.some((c) => c.status === 'failing');
}

/**
 * Services grouped by one label's value (all in one group without a label chosen), the failing
 * ones first in each group: at hundreds of services, what needs a look is on top.
 */
function servicesGrid(services: ServiceItem[], filter: ServiceFilter, now: number): Html {
  const shown = services
    .filter((s) => matches(s, filter))
    .sort((a, b) => Number(isFailing(b)) - Number(isFailing(a)));
  const groups = new Map<string, ServiceItem[]>();
  for (const service of shown) {
    const key = filter.group === '' ? '' : (service.labels[filter.group] ?? '(none)');
    const members = groups.get(key) ?? [];
    members.push(service);
    groups.set(key, members);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  return html`<section aria-labelledby="services-h"><h2 id="services-h">Services <span class="count">${shown.length} of ${services.length}</span></h2>
${shown.length === 0 ? html`<p class="none">No service matches.</p>` : ''}
${ordered.map(
  ([key, members]) => html`${filter.group === '' ? '' : groupHeading(filter.group, key, members)}
${filter.view === 'map' ? serviceMap(members) : serviceTable(members, now)}`,
)}</section>`;
}

function groupHeading(label: string, value: string, members: ServiceItem[]): Html {
  const failing = members.filter(isFailing).length;
  return html`<h3>${label}=${value} <span class="count">${members.length}</span>${
    failing > 0 ? html` <span class="badge bad">${failing} failing</span>` : ''
  }</h3>`;
}

function serviceTable(members: ServiceItem[], now: number): Html {
  return html`<table class="services"><thead><tr><th scope="col">Service</th><th scope="col">Checks</th><th scope="col">Labels</th><th scope="col">Now</th></tr></thead><tbody>
${members.map((s) => serviceRow(s, now))}
</tbody></table>`;
}

/**
 * A cell per service, its name in it: failing ones in the alarm colour with the word said to
 * screen readers too, each a link to its open incident; the details are in its title.
 */
function serviceMap(members: ServiceItem[]): Html {
  return html`<ul class="map">${members.map((s) => {
    const state = isFailing(s)
      ? 'failing'
      : s.checks.every((c) => c.status === 'healthy')
        ? 'healthy'
        : 'unknown';
    const title = `${s.name}: ${s.checks.map((c) => `${c.name} ${c.status}`).join(', ')}${
      s.openIncidents.length > 0 ? `; ${s.openIncidents.join(', ')}` : ''
    }`;
    const name = html`${s.name}${state === 'healthy' ? '' : html`<span class="visually-hidden"> ${state}</span>`}`;
    const incident = s.openIncidents[0];
    return html`<li class="cell ${state}" data-service="${s.name}" title="${title}">${
      incident === undefined ? name : html`<a href="/incidents/${pathPart(incident)}">${name}</a>`
    }</li>`;
  })}</ul>`;
}

function serviceRow(service: ServiceItem, now: number): Html {
  const failing = isFailing(service);
  return html`<tr data-service="${service.name}" class="${failing ? 'failing' : ''}"><th scope="row">${service.name}</th>
<td>${service.checks.map(
    (c) =>
      html`<span class="check ${c.status}" title="${c.role}; ${c.status} since ${c.since === null ? '-' : new Date(c.since).toISOString()}${c.last?.error ? `; ${c.last.error}` : ''}">${c.name}: ${c.status}</span> `,
  )}</td>
<td>${Object.entries(service.labels).map(([k, v]) => html`<span class="label">${k}=${v}</span> `)}</td>
<td>${
    service.openIncidents.length > 0
      ? service.openIncidents.map((id) => html`<a href="/incidents/${pathPart(id)}">${id}</a> `)
      : html`<span class="none">ok</span>`
  }${service.healing ? html` <span class="badge warn">healing ${service.healing}</span>` : ''}${
    service.checks[0]?.last
      ? html` <span class="none">probed ${timeAgo(service.checks[0].last.at, now)}</span>`
      : ''
  }</td></tr>`;
}

/** The forms that stay put while the live part refreshes: filters, and operators' actions. */
export function overviewControls(
  labels: string[],
  runbooks: RunbookItem[],
  session: Session,
): Html {
  return html`<form id="filters" class="filters" role="search" hx-get="/ui/fragments/overview" hx-target="#live" hx-trigger="input changed delay:300ms from:#q, change">
<label for="q">Search</label> <input id="q" name="q" type="search" placeholder="name or label=value">
<label for="group">Group by</label> <select id="group" name="group"><option value="">(no grouping)</option>${labels.map((k) => html`<option value="${k}">${k}</option>`)}</select>
<label for="show">Show</label> <select id="show" name="show"><option value="all">all</option><option value="failing">failing only</option></select>
<label for="view">View</label> <select id="view" name="view"><option value="table">table</option><option value="map">map</option></select>
</form>
${permits(session.role, 'silences:write') ? silenceForm() : ''}
${permits(session.role, 'runbooks:run') ? runbookForms(runbooks) : ''}`;
}

function silenceForm(): Html {
  return html`<details class="action"><summary>Add a silence</summary>
<form hx-post="/ui/actions/silences" hx-target="#answer">
<label for="matchers">Matchers, one a line (Alertmanager syntax)</label>
<textarea id="matchers" name="matchers" rows="2" required placeholder='service="db"'></textarea>
<label for="duration">Duration</label> <input id="duration" name="duration" value="1h" required pattern="\\d+[smhd]">
<label for="comment">Comment</label> <input id="comment" name="comment" required maxlength="1000">
<button type="submit">Add silence</button>
</form></details>`;
}

function runbookForms(runbooks: RunbookItem[]): Html {
  return html`${runbooks.map(
    (r) => html`<details class="action"><summary>Run runbook ${r.name} by hand</summary>
<form hx-post="/ui/actions/runbooks/${pathPart(r.name)}/runs" hx-target="#answer" hx-confirm="Run runbook ${r.name} now? Its steps act on the service.">
<p class="none">Steps: ${r.steps.join(' → ')}</p>
<label for="run-${r.name}-service">Service</label> <input id="run-${r.name}-service" name="service" required>
${Object.entries(r.params).map(([name, spec]) => paramField(r.name, name, spec))}
<button type="submit">Run ${r.name}</button>
</form></details>`,
  )}`;
}

/**
 * One declared param: a yes/no choice for a boolean, digits for an integer, text otherwise. A
 * hint for the person; the runbook's own validation decides when it runs.
 */
function paramField(runbook: string, name: string, spec: RunbookItem['params'][string]): Html {
  const id = `run-${runbook}-p-${name}`;
  const label = html`<label for="${id}">${name} (${spec.type}${spec.required ? ', required' : ', optional'})</label>`;
  if (spec.type === 'boolean') {
    return html`${label}<select id="${id}" name="param.${name}">${spec.required ? '' : html`<option value="">(default)</option>`}<option value="true">true</option><option value="false">false</option></select>`;
  }
  const integer = spec.type === 'integer' ? html` inputmode="numeric" pattern="-?[0-9]+"` : '';
  return html`${label}<input id="${id}" name="param.${name}"${spec.required ? html` required` : ''}${integer}>`;
}

import { bounded, clock, human, isoTime, maybe } from '../../incidents/format.ts';
import type { IncidentView } from '../../incidents/incident-view.ts';
import type { IncidentTree, IncidentTreeNode } from '../../incidents/links.ts';
import { permits } from '../auth/roles.ts';
import type { ApprovalItem } from './api-views.ts';
import { type Html, html, pathPart } from './html.ts';
import { approvalButtons } from './overview.ts';
import type { Session } from './sessions.ts';
import { countdown, timeAgo } from './time-text.ts';

/** Command output and evidence are bounded on the page too: a wall screen is not a log viewer. */
const OUTPUT_MAX = 4000;

/** The incident's live part: what `mend incidents show` says, refreshed as it is recorded. */
export function incidentFragment(
  view: IncidentView,
  tree: IncidentTree,
  waiting: ApprovalItem[],
  session: Session,
  now: number,
): Html {
  const f = view.figures;
  return html`<header class="incident-head">
<h1>${view.id} <span class="badge ${view.status === 'open' ? 'bad' : 'good'}">${view.status}</span></h1>
<p class="title">${view.title}</p>
<dl class="figures">
<div><dt>Service</dt><dd>${view.service}</dd></div>
<div><dt>Policy</dt><dd>${view.policy ?? '-'}</dd></div>
<div><dt>Opened</dt><dd>${timeAgo(view.openedAt, now)}</dd></div>
<div><dt>Resolved</dt><dd>${view.resolvedAt === null ? 'not yet' : timeAgo(view.resolvedAt, now)}</dd></div>
<div><dt>Decided</dt><dd>${f.decided ?? '-'}</dd></div>
<div><dt>Time to detect</dt><dd>${maybe(f.timeToDetectMs)}</dd></div>
<div><dt>Time to decide</dt><dd>${maybe(f.timeToDecideMs)}</dd></div>
<div><dt>Time to recover</dt><dd>${maybe(f.timeToRecoverMs)}</dd></div>
<div><dt>Heals</dt><dd>${f.attempts}</dd></div>
<div><dt>Outcome</dt><dd>${typeof f.outcome === 'string' ? f.outcome : JSON.stringify(f.outcome)}</dd></div>
</dl>
${view.resolution ? html`<p>Resolution: ${view.resolution}</p>` : ''}
${f.chronic ? html`<p class="answer refused">Chronic: ${JSON.stringify(f.chronic)}</p>` : ''}
</header>
${linkedIncidents(tree, now)}
${
  waiting.length > 0
    ? html`<section aria-labelledby="wait-h"><h2 id="wait-h">Waiting for approval</h2>
<ul>${waiting.map(
        (a) =>
          html`<li data-approval="${a.id}">${a.id}: attempt ${a.attempt}, expires ${countdown(a.expiresAt, now)} ${permits(session.role, 'approvals:decide') ? approvalButtons(a.id) : ''}</li>`,
      )}</ul></section>`
    : ''
}
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>
<table class="timeline"><thead><tr><th scope="col">At (UTC)</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead><tbody>
${view.timeline.map(
  (e) =>
    html`<tr><td class="at"><time datetime="${isoTime(e.at)}" title="${isoTime(e.at)}">${clock(e.at)}</time></td><td>${e.what}</td><td class="detail">${e.detail}</td></tr>`,
)}
</tbody></table></section>
<section aria-labelledby="decisions-h"><h2 id="decisions-h">Decisions and their reasons</h2>
<table><thead><tr><th scope="col">At (UTC)</th><th scope="col">Verdict</th><th scope="col">Reason</th><th scope="col">Numbers</th></tr></thead><tbody>
${view.decisions.map(
  (
    d,
  ) => html`<tr><td>${isoTime(d.at)}</td><td>${d.verdict ?? '-'}</td><td><code>${d.reason.code}</code> ${d.reason.message}</td>
<td>${Object.entries(d.reason.numbers).map(([k, v]) => html`<span class="label">${k}=${String(v)}</span> `)}</td></tr>`,
)}
</tbody></table></section>
<section aria-labelledby="heals-h"><h2 id="heals-h">Heals and their steps</h2>
${view.heals.length === 0 ? html`<p class="none">No heal was run.</p>` : ''}
${view.heals.map(
  (
    h,
  ) => html`<article class="heal" data-heal="${h.id}"><h3>${h.id}: runbook ${h.runbook}, attempt ${h.attempt} <span class="badge ${h.result === 'succeeded' ? 'good' : h.result === null ? 'warn' : 'bad'}">${h.result ?? 'running'}</span></h3>
${h.resultDetail ? html`<p>${h.resultDetail}</p>` : ''}
<table><thead><tr><th scope="col">Step</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Exit</th><th scope="col">Duration</th><th scope="col">Output</th></tr></thead><tbody>
${h.steps.map(
  (
    s,
  ) => html`<tr><td>${s.section ? `${s.section}: ` : ''}${s.name ?? `#${s.stepIndex}`}${s.attempt > 1 ? ` (try ${s.attempt})` : ''}</td><td>${s.kind ?? '-'}</td>
<td><span class="badge ${s.ok === true ? 'good' : s.ok === false ? 'bad' : 'warn'}">${s.status ?? 'running'}</span></td><td>${s.exitCode === null ? '-' : String(s.exitCode)}</td>
<td>${s.durationMs === null ? '-' : human(s.durationMs)}</td>
<td>${s.error ? html`<p class="detail">${s.error}</p>` : ''}${s.output ? html`<details><summary>output</summary><pre>${bounded(s.output, OUTPUT_MAX)}</pre></details>` : ''}</td></tr>`,
)}
</tbody></table></article>`,
)}
</section>
<section aria-labelledby="signals-h"><h2 id="signals-h">Signals and their evidence</h2>
${view.signals.map(
  (s) =>
    html`<details><summary>${isoTime(s.at)} ${s.status} ${s.fingerprint}</summary><pre>${bounded(JSON.stringify(s, null, 2), OUTPUT_MAX)}</pre></details>`,
)}
</section>`;
}

/** Dependents held by a root, as a tree from the top; nothing when the incident stands alone. */
function linkedIncidents(tree: IncidentTree, now: number): Html {
  if (tree.size <= 1) return html``;
  return html`<section aria-labelledby="tree-h"><h2 id="tree-h">Linked incidents <span class="count">${tree.size}</span></h2>
<p class="none">While a dependency is down, mend heals it and holds its dependents: the top is where it heals.</p>
<ul class="tree">${treeNode(tree.top, tree.focus, now)}</ul>
${tree.truncated ? html`<p class="none">More were linked than a page shows.</p>` : ''}</section>`;
}

function treeNode(node: IncidentTreeNode, focus: string, now: number): Html {
  const name =
    node.id === focus
      ? html`<strong aria-current="page">${node.id}</strong>`
      : html`<a href="/incidents/${pathPart(node.id)}">${node.id}</a>`;
  const held = node.held
    ? html`held for <strong>${node.held.dependency}</strong> from ${timeAgo(node.held.since, now)}${
        node.held.until === null ? ', still' : html` until ${timeAgo(node.held.until, now)}`
      }`
    : html`root`;
  return html`<li data-tree-node="${node.id}">${name} <span class="label">${node.service}</span> <span class="badge ${node.status === 'open' ? 'bad' : 'good'}">${node.status}</span> <span class="none">${held}</span> · ${node.title}${
    node.dependents.length > 0
      ? html`<ul>${node.dependents.map((d) => treeNode(d, focus, now))}</ul>`
      : ''
  }</li>`;
}

/** The incident page around the live part: the report to copy stays put. */
export function incidentControls(id: string): Html {
  const report = `/ui/incidents/${pathPart(id)}/report.md`;
  return html`<p class="report-links"><a href="/">← Overview</a> · <button type="button" data-copy-from="${report}">Copy the Markdown report</button> · <a href="${report}" download="${id}.md">Download it</a></p>`;
}

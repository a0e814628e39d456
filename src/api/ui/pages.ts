import type { IncidentView } from '../../incidents/incident-view.ts';
import type { IncidentTree } from '../../incidents/links.ts';
import type { StoredAuditEntry } from '../../store/store.ts';
import type { AuditVerification } from '../../store/verify-audit.ts';
import { callApi, problemDetail } from './api-client.ts';
import type {
  ApprovalItem,
  BreakerItem,
  IncidentItem,
  Items,
  RunbookItem,
  ServiceItem,
  SilenceItem,
} from './api-views.ts';
import { auditMain, auditPath, parseAuditFilter } from './audit.ts';
import { html } from './html.ts';
import { incidentControls, incidentFragment } from './incident.ts';
import { page } from './layout.ts';
import { followChanges } from './live.ts';
import { labelKeys, overviewControls, overviewFragment, parseFilter } from './overview.ts';
import { signInPage } from './sign-in.ts';
import { parseWindow, type Trends, trendsMain } from './trends.ts';
import type { UiKit } from './ui-kit.ts';

type Query = { Querystring: Record<string, unknown> };

/**
 * The pages and their live fragments, each read from the API with the session's token: what a
 * role may not read, the API refuses, and the page says so (an admin's Audit page is a viewer's
 * 403). Without a session a page is the sign-in form and a fragment is 401.
 */
export function registerPages(kit: UiKit, ending: Set<() => void>): void {
  const { app: ui, context, read, refusedRead, sessionOf } = kit;

  ui.get('/', async (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return reply.type('text/html').send(signInPage());
    try {
      // One read first, the rest together once it passed: a token the API refuses (revoked,
      // expired) is refused once, not once per read, so a gone session's refresh counts one
      // failure toward its address's limit (which everyone behind one proxy shares).
      const labels = labelKeys(
        (await read<Items<ServiceItem>>(request, session, '/services')).items,
      );
      const runbooks = (await read<Items<RunbookItem>>(request, session, '/runbooks')).items;
      const main = html`<h1 class="visually-hidden">Overview</h1>
${overviewControls(labels, runbooks, session)}
<div id="answer" aria-live="polite"></div>
<div id="live" hx-get="/ui/fragments/overview" hx-include="#filters" hx-trigger="load, mend:changed from:body throttle:500ms, every 5s">${html`<p class="none">Loading…</p>`}</div>`;
      return reply
        .type('text/html')
        .send(page({ title: 'Overview', session, main, current: 'overview' }));
    } catch (err) {
      return refusedRead(reply, session, err, false);
    }
  });

  ui.get<Query>('/ui/fragments/overview', async (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return reply.code(401).header('hx-redirect', '/').send('');
    try {
      // The first read alone, as on the page: a refused token is refused once.
      const services = await read<Items<ServiceItem>>(request, session, '/services');
      const [incidents, breakers, approvals, silences] = await Promise.all([
        read<Items<IncidentItem>>(request, session, '/incidents?status=open&limit=500'),
        read<Items<BreakerItem>>(request, session, '/breakers'),
        read<Items<ApprovalItem>>(request, session, '/approvals'),
        read<Items<SilenceItem>>(request, session, '/silences'),
      ]);
      const data = {
        services: services.items,
        incidents: incidents.items,
        breakers: breakers.items,
        approvals: approvals.items,
        silences: silences.items,
      };
      const body = overviewFragment(data, parseFilter(request.query), session, context.now());
      return reply.type('text/html').send(body.text);
    } catch (err) {
      return refusedRead(reply, session, err, true);
    }
  });

  ui.get<{ Params: { id: string } }>('/incidents/:id', async (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return reply.code(303).header('location', '/').send('');
    const { id } = request.params;
    const fragment = `/ui/fragments/incidents/${encodeURIComponent(id)}`;
    try {
      await read(request, session, `/incidents/${encodeURIComponent(id)}`);
    } catch (err) {
      return refusedRead(reply, session, err, false);
    }
    const main = html`${incidentControls(id)}
<div id="answer" aria-live="polite"></div>
<div id="live" hx-get="${fragment}" hx-trigger="load, mend:changed from:body throttle:500ms, every 10s"><p class="none">Loading…</p></div>`;
    return reply.type('text/html').send(page({ title: id, session, main }));
  });

  ui.get<{ Params: { id: string } }>('/ui/fragments/incidents/:id', async (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return reply.code(401).header('hx-redirect', '/').send('');
    const id = encodeURIComponent(request.params.id);
    try {
      // The first read alone, as on the overview: a refused token is refused once.
      const view = await read<IncidentView>(request, session, `/incidents/${id}`);
      const [tree, approvals] = await Promise.all([
        read<IncidentTree>(request, session, `/incidents/${id}/tree`),
        read<Items<ApprovalItem>>(request, session, '/approvals'),
      ]);
      const waiting = approvals.items.filter((a) => a.incidentId === view.id);
      return reply
        .type('text/html')
        .send(incidentFragment(view, tree, waiting, session, context.now()).text);
    } catch (err) {
      return refusedRead(reply, session, err, true);
    }
  });

  ui.get<{ Params: { id: string } }>('/ui/incidents/:id/report.md', async (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return reply.code(401).send('sign in first');
    const got = await callApi(
      ui,
      request,
      session.token,
      'GET',
      `/incidents/${encodeURIComponent(request.params.id)}/report`,
    );
    if (got.status !== 200)
      return reply.code(got.status).type('text/plain').send(problemDetail(got));
    return reply.type('text/markdown; charset=utf-8').send(got.text);
  });

  ui.get<Query>('/trends', async (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return reply.code(303).header('location', '/').send('');
    const window = parseWindow(request.query.since);
    try {
      const trends = await read<Trends>(request, session, `/report/trends?since=${window}`);
      return reply.type('text/html').send(
        page({
          title: 'Trends',
          session,
          current: 'trends',
          main: trendsMain(trends, window),
          styles: ['uPlot.min.css'],
          scripts: ['uPlot.iife.min.js', 'trends.js'],
        }),
      );
    } catch (err) {
      return refusedRead(reply, session, err, false);
    }
  });

  ui.get<Query>('/audit', async (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return reply.code(303).header('location', '/').send('');
    const filter = parseAuditFilter(request.query);
    try {
      // The API decides who reads the log (audit:read, admins): a viewer's read is its 403.
      const verification = await read<AuditVerification>(request, session, '/audit/verify');
      const rows = await read<Items<StoredAuditEntry>>(request, session, auditPath(filter));
      return reply.type('text/html').send(
        page({
          title: 'Audit',
          session,
          current: 'audit',
          main: auditMain(verification, rows.items, filter),
        }),
      );
    } catch (err) {
      return refusedRead(reply, session, err, false);
    }
  });

  ui.get('/ui/events', async (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return reply.code(401).send('sign in first');
    const who = await callApi(ui, request, session.token, 'GET', '/whoami');
    if (who.status !== 200) return reply.code(who.status).send(problemDetail(who));
    return followChanges(ending, context, request, reply, () => sessionOf(request) !== undefined);
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../../controller-handle.ts';
import type { IncidentView } from '../../incidents/incident-view.ts';
import { type ApiAnswer, callApi, problemDetail } from './api-client.ts';
import type {
  ApprovalItem,
  BreakerItem,
  IncidentItem,
  Items,
  RunbookItem,
  ServiceItem,
  SilenceItem,
} from './api-views.ts';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './cookies.ts';
import { html } from './html.ts';
import { incidentControls, incidentFragment } from './incident.ts';
import { answer, page } from './layout.ts';
import { followChanges } from './live.ts';
import { labelKeys, overviewControls, overviewFragment, parseFilter } from './overview.ts';
import { csrfMatches, type Session, SessionStore } from './sessions.ts';
import { signInPage } from './sign-in.ts';
import { serveStaticFiles } from './static-files.ts';

/** A form is small: a token, a silence, a runbook's params. */
const FORM_LIMIT_BYTES = 16 * 1024;

/**
 * Pages a browser's script, style and frames may come from: mend itself only, no inline script
 * or style, no framing (clickjacking), forms posted back to mend only.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** A read the API refused: the page says why, or signs the browser out when the token is gone. */
class Refused extends Error {
  readonly status: number;
  constructor(answer: ApiAnswer) {
    super(problemDetail(answer));
    this.status = answer.status;
  }
}

/**
 * The dashboard, served at / beside the API: sign-in with an API token, the overview, an
 * incident's page, and operators' actions. Every read and every action is the operator API
 * called with the session's token (api-client.ts), so roles, validation, operator requests and
 * the audit log are the API's own.
 */
export async function registerDashboard(
  app: FastifyInstance,
  context: ApiContext,
  options: { secure: boolean },
): Promise<void> {
  const sessions = new SessionStore();
  const { secure } = options;

  await app.register(async (ui) => {
    const ending = new Set<() => void>();
    ui.addHook('preClose', async () => {
      for (const end of ending) end();
    });
    ui.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    ui.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', CSP);
      reply.header('x-content-type-options', 'nosniff');
      // same-origin, not no-referrer: with no-referrer a browser posts a form with `Origin: null`.
      reply.header('referrer-policy', 'same-origin');
      reply.header('x-frame-options', 'DENY');
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    });
    await serveStaticFiles(ui);

    const sessionOf = (request: FastifyRequest) =>
      sessions.get(readCookie(request.headers.cookie, SESSION_COOKIE), context.now());

    const read = async <T>(request: FastifyRequest, session: Session, path: string) => {
      const got = await callApi<T>(ui, request, session.token, 'GET', path);
      if (got.status !== 200) throw new Refused(got);
      return got.body;
    };

    /** A page or fragment the API refused: gone tokens end the session, the rest say why. */
    const refusedRead = (
      reply: FastifyReply,
      session: Session,
      err: unknown,
      fragment: boolean,
    ) => {
      if (!(err instanceof Refused)) throw err;
      if (err.status === 401) {
        sessions.end(session.id);
        reply.header('set-cookie', clearedSessionCookie(secure));
        if (fragment) return reply.code(401).header('hx-redirect', '/').send('');
        return reply
          .code(401)
          .type('text/html')
          .send(signInPage(`Signed out: ${err.message}`));
      }
      const body = html`<p class="answer refused" role="alert">${err.message}</p>`;
      if (fragment) return reply.code(err.status).type('text/html').send(body.text);
      return reply
        .code(err.status)
        .type('text/html')
        .send(page({ title: 'Refused', session, main: body }));
    };

    // No icon: answered, so a browser's console is not a list of 404s.
    ui.get('/favicon.ico', async (_request, reply) => reply.code(204).send());

    // --- Sign-in and sign-out -------------------------------------------------------------

    ui.get('/', async (request, reply) => {
      const session = sessionOf(request);
      if (session === undefined) return reply.type('text/html').send(signInPage());
      try {
        const [labels, runbooks] = await Promise.all([
          read<Items<ServiceItem>>(request, session, '/services').then((s) => labelKeys(s.items)),
          read<Items<RunbookItem>>(request, session, '/runbooks').then((r) => r.items),
        ]);
        const main = html`<h1 class="visually-hidden">Overview</h1>
${overviewControls(labels, runbooks, session)}
<div id="answer" aria-live="polite"></div>
<div id="live" hx-get="/ui/fragments/overview" hx-include="#filters" hx-trigger="load, mend:changed from:body throttle:500ms, every 5s">${html`<p class="none">Loading…</p>`}</div>`;
        return reply.type('text/html').send(page({ title: 'Overview', session, main }));
      } catch (err) {
        return refusedRead(reply, session, err, false);
      }
    });

    ui.post<{ Body: { token?: string } | undefined }>('/ui/session', async (request, reply) => {
      if (!sameOrigin(request)) {
        return reply
          .code(403)
          .type('text/html')
          .send(signInPage('Refused: a sign-in from another site.'));
      }
      const token = typeof request.body?.token === 'string' ? request.body.token.trim() : '';
      if (token === '') return reply.code(400).type('text/html').send(signInPage('Paste a token.'));
      const who = await callApi<{ token: string; role: Session['role'] }>(
        ui,
        request,
        token,
        'GET',
        '/whoami',
      );
      if (who.status !== 200) {
        return reply
          .code(who.status)
          .type('text/html')
          .send(signInPage(problemDetail(who)));
      }
      const session = sessions.create(
        token,
        { tokenName: who.body.token, role: who.body.role },
        context.now(),
      );
      return reply
        .code(303)
        .header(
          'set-cookie',
          sessionCookie(session.id, { secure, maxAgeMs: session.expiresAt - session.createdAt }),
        )
        .header('location', '/')
        .send('');
    });

    ui.post('/ui/session/end', async (request, reply) => {
      const session = sessionOf(request);
      if (session !== undefined && !csrfMatches(session, request.headers['x-csrf-token'])) {
        return reply.code(403).send('missing or wrong X-CSRF-Token');
      }
      if (session !== undefined) sessions.end(session.id);
      return reply
        .header('set-cookie', clearedSessionCookie(secure))
        .header('hx-redirect', '/')
        .send('');
    });

    // --- Reading ----------------------------------------------------------------------------

    ui.get<{ Querystring: Record<string, unknown> }>(
      '/ui/fragments/overview',
      async (request, reply) => {
        const session = sessionOf(request);
        if (session === undefined) return reply.code(401).header('hx-redirect', '/').send('');
        try {
          const [services, incidents, breakers, approvals, silences] = await Promise.all([
            read<Items<ServiceItem>>(request, session, '/services'),
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
      },
    );

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
        const [view, approvals] = await Promise.all([
          read<IncidentView>(request, session, `/incidents/${id}`),
          read<Items<ApprovalItem>>(request, session, '/approvals'),
        ]);
        const waiting = approvals.items.filter((a) => a.incidentId === view.id);
        return reply
          .type('text/html')
          .send(incidentFragment(view, waiting, session, context.now()).text);
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

    ui.get('/ui/events', async (request, reply) => {
      const session = sessionOf(request);
      if (session === undefined) return reply.code(401).send('sign in first');
      const who = await callApi(ui, request, session.token, 'GET', '/whoami');
      if (who.status !== 200) return reply.code(who.status).send(problemDetail(who));
      return followChanges(ending, context, request, reply, () => sessionOf(request) !== undefined);
    });

    // --- Acting -----------------------------------------------------------------------------

    /**
     * One action: a session, its CSRF header, then the API route that does it, with the API's
     * answer shown as it is (applied, or refused and why) under the API's status.
     */
    const act = async (
      request: FastifyRequest,
      reply: FastifyReply,
      path: string,
      body: object | undefined,
      applied: (answer: ApiAnswer) => string,
    ) => {
      const session = sessionOf(request);
      if (session === undefined) return reply.code(401).header('hx-redirect', '/').send('');
      if (!csrfMatches(session, request.headers['x-csrf-token'])) {
        return reply
          .code(403)
          .type('text/html')
          .send(answer(false, 'missing or wrong X-CSRF-Token: reload the page').text);
      }
      const got = await callApi(ui, request, session.token, 'POST', path, body);
      const ok = got.status === 200 || got.status === 201;
      if (ok) reply.header('hx-trigger', 'mend:changed');
      return reply
        .code(got.status)
        .type('text/html')
        .send(answer(ok, ok ? applied(got) : problemDetail(got)).text);
    };
    const requestNo = (got: ApiAnswer) =>
      `request ${(got.body as { request?: number })?.request ?? '?'}`;

    ui.post<{ Params: { id: string; verdict: string } }>(
      '/ui/actions/approvals/:id/:verdict',
      async (request, reply) => {
        const { id, verdict } = request.params;
        if (verdict !== 'approve' && verdict !== 'deny')
          return reply.code(404).send('approve or deny');
        return act(
          request,
          reply,
          `/approvals/${encodeURIComponent(id)}/${verdict}`,
          undefined,
          (got) => `${verdict === 'approve' ? 'approved' : 'denied'} ${id} (${requestNo(got)})`,
        );
      },
    );

    ui.post<{ Params: { service: string }; Body: Record<string, string> | undefined }>(
      '/ui/actions/breakers/:service/reset',
      async (request, reply) => {
        const { service } = request.params;
        const runbook = request.body?.runbook;
        return act(
          request,
          reply,
          `/breakers/${encodeURIComponent(service)}/reset`,
          runbook ? { runbook } : {},
          (got) => `breaker of ${service}${runbook ? `/${runbook}` : ''} reset (${requestNo(got)})`,
        );
      },
    );

    ui.post<{ Body: Record<string, string> | undefined }>(
      '/ui/actions/silences',
      async (request, reply) => {
        const form = request.body ?? {};
        const matchers = (form.matchers ?? '')
          .split('\n')
          .map((m) => m.trim())
          .filter((m) => m !== '');
        return act(
          request,
          reply,
          '/silences',
          { matchers, duration: form.duration ?? '', comment: form.comment ?? '' },
          (got) => `silence ${(got.body as { id?: string }).id ?? ''} added (${requestNo(got)})`,
        );
      },
    );

    ui.post<{ Params: { id: string } }>(
      '/ui/actions/silences/:id/expire',
      async (request, reply) => {
        const { id } = request.params;
        return act(
          request,
          reply,
          `/silences/${encodeURIComponent(id)}/expire`,
          undefined,
          (got) => `silence ${id} expired (${requestNo(got)})`,
        );
      },
    );

    ui.post<{ Params: { name: string }; Body: Record<string, string> | undefined }>(
      '/ui/actions/runbooks/:name/runs',
      async (request, reply) => {
        const { name } = request.params;
        const form = request.body ?? {};
        const params = Object.fromEntries(
          Object.entries(form)
            .filter(([key, value]) => key.startsWith('param.') && value !== '')
            .map(([key, value]) => [key.slice('param.'.length), value]),
        );
        return act(
          request,
          reply,
          `/runbooks/${encodeURIComponent(name)}/runs`,
          { service: form.service ?? '', params },
          (got) => {
            const run = got.body as { incident?: string; run?: string };
            return `runbook ${name} runs as ${run.run ?? '?'} in incident ${run.incident ?? '?'} (${requestNo(got)})`;
          },
        );
      },
    );
  });
}

/** A sign-in posted by mend's own page: a browser sends Origin on a POST, another site's differs. */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

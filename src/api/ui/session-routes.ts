import type { FastifyRequest } from 'fastify';
import { type AuditAction, tokenActor } from '../../store/audit-vocabulary.ts';
import { callApi, problemDetail } from './api-client.ts';
import { clearedSessionCookie, sessionCookie } from './cookies.ts';
import { csrfMatches, type Session } from './sessions.ts';
import { signInPage } from './sign-in.ts';
import type { UiKit } from './ui-kit.ts';

/**
 * Sign-in with an API token (asked of the API: who is it?) and sign-out, which ends the session
 * on the server: its cookie opens nothing afterwards. Both are audited with the token's name.
 */
export function registerSessionRoutes(kit: UiKit): void {
  const { app: ui, context, sessions, secure } = kit;

  /**
   * The audit row of a sign-in or sign-out. Best effort, like the API's refusals: a store that
   * cannot write is on /readyz, and shutting people out of the dashboard during an outage, when
   * they need to look, would be worse than a missing row.
   */
  const audit = async (request: FastifyRequest, session: Session, action: AuditAction) => {
    try {
      await context.store.appendAudit({
        at: context.now(),
        actor: tokenActor(session.tokenName),
        role: session.role,
        source: request.ip,
        requestId: request.id,
        action,
        target: `session/${session.handle}`,
        params: {},
        result: 'ok',
      });
    } catch (err) {
      context.log.error({ err }, `dashboard: cannot audit ${action} of ${session.tokenName}`);
    }
  };

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
    await audit(request, session, 'session.sign-in');
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
    const session = kit.sessionOf(request);
    if (session !== undefined && !csrfMatches(session, request.headers['x-csrf-token'])) {
      return reply.code(403).send('missing or wrong X-CSRF-Token');
    }
    if (session !== undefined) {
      sessions.end(session.id);
      await audit(request, session, 'session.sign-out');
    }
    return reply
      .header('set-cookie', clearedSessionCookie(secure))
      .header('hx-redirect', '/')
      .send('');
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

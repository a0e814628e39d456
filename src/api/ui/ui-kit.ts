import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../../controller-handle.ts';
import { type ApiAnswer, callApi, problemDetail } from './api-client.ts';
import { clearedSessionCookie, readCookie, SESSION_COOKIE } from './cookies.ts';
import { html } from './html.ts';
import { page } from './layout.ts';
import type { Session, SessionStore } from './sessions.ts';
import { signInPage } from './sign-in.ts';

/** A read the API refused: the page says why, or signs the browser out when the token is gone. */
export class Refused extends Error {
  readonly status: number;
  constructor(answer: ApiAnswer) {
    super(problemDetail(answer));
    this.status = answer.status;
  }
}

/** What the dashboard's routes share: the session of a request, and reading the API as it. */
export interface UiKit {
  app: FastifyInstance;
  context: ApiContext;
  sessions: SessionStore;
  secure: boolean;
  sessionOf(request: FastifyRequest): Session | undefined;
  /** GET an API path with the session's token; anything but 200 is thrown as Refused. */
  read<T>(request: FastifyRequest, session: Session, path: string): Promise<T>;
  /** A page or fragment the API refused: a gone token ends the session, the rest say why. */
  refusedRead(reply: FastifyReply, session: Session, err: unknown, fragment: boolean): FastifyReply;
}

export function uiKit(
  app: FastifyInstance,
  context: ApiContext,
  sessions: SessionStore,
  secure: boolean,
): UiKit {
  return {
    app,
    context,
    sessions,
    secure,
    sessionOf: (request) =>
      sessions.get(readCookie(request.headers.cookie, SESSION_COOKIE), context.now()),
    async read<T>(request: FastifyRequest, session: Session, path: string) {
      const got = await callApi<T>(app, request, session.token, 'GET', path);
      if (got.status !== 200) throw new Refused(got);
      return got.body;
    },
    refusedRead(reply, session, err, fragment) {
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
      const body = html`<p class="answer refused" role="alert">Refused: ${err.message}</p>`;
      if (fragment) return reply.code(err.status).type('text/html').send(body.text);
      return reply
        .code(err.status)
        .type('text/html')
        .send(page({ title: 'Refused', session, main: body }));
    },
  };
}

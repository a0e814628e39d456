import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../controller-handle.ts';
import { registerActions } from './actions.ts';
import { registerPages } from './pages.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { SessionStore } from './sessions.ts';
import { serveStaticFiles } from './static-files.ts';
import { uiKit } from './ui-kit.ts';

/** A form is small: a token, a silence, a runbook's params. */
const FORM_LIMIT_BYTES = 16 * 1024;

/**
 * Pages a browser's script, style and frames may come from: mend itself only, no inline script
 * or style, no framing (clickjacking), forms posted back to mend only.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The dashboard, served at / beside the API: sign-in with an API token, the overview, an
 * incident's page, trends, the audit log (admins), and operators' actions. Every read and every action is the operator API
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

    const kit = uiKit(ui, context, sessions, secure);
    // No icon: answered, so a browser's console is not a list of 404s.
    ui.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
    registerSessionRoutes(kit);
    registerPages(kit, ending);
    registerActions(kit);
  });
}

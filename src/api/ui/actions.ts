import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ApiAnswer, callApi, problemDetail } from './api-client.ts';
import { type AnswerKind, answer } from './layout.ts';
import { csrfMatches } from './sessions.ts';
import type { UiKit } from './ui-kit.ts';

/** The API's status as what became of the action: 503 with a request id is recorded, pending. */
export function answerKind(got: ApiAnswer): AnswerKind {
  if (got.status === 200 || got.status === 201) return 'applied';
  const request = (got.body as { request?: unknown } | undefined)?.request;
  if (got.status === 503 && typeof request === 'number') return 'pending';
  return 'refused';
}

/**
 * Operators' actions: each is the API route an operator would call with curl, with the
 * session's token, behind the session's CSRF header; the answer shows what the API said.
 */
export function registerActions(kit: UiKit): void {
  const { app: ui } = kit;

  /**
   * One action: a session, its CSRF header, then the API route that does it, with the API's
   * answer shown as it is (applied, recorded and pending, or refused and why) under its status.
   */
  const act = async (
    request: FastifyRequest,
    reply: FastifyReply,
    path: string,
    body: object | undefined,
    applied: (answer: ApiAnswer) => string,
  ) => {
    const session = kit.sessionOf(request);
    if (session === undefined) return reply.code(401).header('hx-redirect', '/').send('');
    if (!csrfMatches(session, request.headers['x-csrf-token'])) {
      return reply
        .code(403)
        .type('text/html')
        .send(answer('refused', 'missing or wrong X-CSRF-Token: reload the page').text);
    }
    const got = await callApi(ui, request, session.token, 'POST', path, body);
    const kind = answerKind(got);
    if (kind !== 'refused') reply.header('hx-trigger', 'mend:changed');
    return reply
      .code(got.status)
      .type('text/html')
      .send(answer(kind, kind === 'applied' ? applied(got) : problemDetail(got)).text);
  };
  const requestNo = (got: ApiAnswer) =>
    `request ${(got.body as { request?: number })?.request ?? '?'}`;

  ui.post<{ Params: { id: string; verdict: string } }>(
    '/ui/actions/approvals/:id/:verdict',
    async (request, reply) => {
      const { id, verdict } = request.params;
      if (verdict !== 'approve' && verdict !== 'deny') {
        return reply
          .code(404)
          .type('text/html')
          .send(answer('refused', `${verdict}: an approval is approved or denied`).text);
      }
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

  ui.post<{ Params: { id: string } }>('/ui/actions/silences/:id/expire', async (request, reply) => {
    const { id } = request.params;
    return act(
      request,
      reply,
      `/silences/${encodeURIComponent(id)}/expire`,
      undefined,
      (got) => `silence ${id} expired (${requestNo(got)})`,
    );
  });

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
}

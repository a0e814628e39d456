import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext, Role } from '../../controller-handle.ts';
import { sendProblem } from '../problem.ts';
import { API_PREFIX } from './prefix.ts';
import { permits } from './roles.ts';
import { problems, type RouteRole } from './route-kit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request is recorded as: `token:NAME`. */
    actor: string;
    role: Role | null;
  }
}

/**
 * Every /api/v1 route says the least role it needs (a route that does not is refused when it is
 * declared, so a new route cannot skip authentication), and every request to one is judged
 * before its body is read: no token or a bad one is 401 with `WWW-Authenticate: Bearer`, a token
 * whose role is not enough is 403 naming the role needed. Both are audited with the source.
 */
export function authenticateRequests(app: FastifyInstance, context: ApiContext): void {
  app.decorateRequest('actor', '');
  app.decorateRequest('role', null);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(API_PREFIX)) return;
    const role = route.config?.role;
    if (role === undefined) {
      throw new Error(`route ${route.method} ${route.url} says no role: set config.role`);
    }
    if (role === 'anyone') return;
    // The document says what the hook does: a bearer token, and the 401 and 403 it answers.
    route.schema ??= {};
    const schema = route.schema as {
      security?: unknown;
      response?: Record<number, unknown>;
    };
    schema.security = [{ bearer: [] }];
    schema.response = { ...problems(401, 403), ...schema.response };
  });
  app.addHook('onRequest', async (request, reply) => {
    const needed: RouteRole | undefined = request.routeOptions.config?.role;
    if (needed === undefined || needed === 'anyone') return;
    const judged = await context.authenticate(request.headers.authorization);
    if ('refused' in judged) {
      await auditRefusal(context, request, 'auth.unauthenticated', null, judged.refused);
      reply.header('www-authenticate', 'Bearer realm="mend"');
      return sendProblem(
        reply,
        401,
        `${judged.refused}; send Authorization: Bearer <token> (mend token create)`,
      );
    }
    const { token, role } = judged.principal;
    request.actor = `token:${token}`;
    request.role = role;
    if (!permits(role, needed)) {
      await auditRefusal(context, request, 'auth.forbidden', role, `needs ${needed}`);
      return sendProblem(
        reply,
        403,
        `token ${token} has role ${role}; ${request.method} ${request.routeOptions.url} needs ${needed}`,
        { required: needed },
      );
    }
  });
}

async function auditRefusal(
  context: ApiContext,
  request: FastifyRequest,
  action: string,
  role: Role | null,
  reason: string,
): Promise<void> {
  await context.audit({
    actor: request.actor || 'anonymous',
    role,
    source: request.ip,
    action,
    target: `${request.method} ${request.routeOptions.url ?? request.url}`,
    result: 'refused',
    requestId: request.id,
    details: { reason },
  });
}

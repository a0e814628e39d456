import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../../controller-handle.ts';
import type { AuditAction } from '../../store/audit-vocabulary.ts';
import { authenticate } from '../auth/authenticate.ts';
import { FailureLimiter } from '../auth/failure-limiter.ts';
import { leastRoleFor, permits, type Role, refusal } from '../auth/roles.ts';
import { sendProblem } from '../problem.ts';
import { API_PREFIX } from './prefix.ts';
import { problems } from './route-kit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request is recorded as: `token:NAME`, or `anonymous` before it is known. */
    actor: string;
    role: Role | null;
  }
}

/**
 * Every /api/v1 route says what it needs (a permission, or `public`); a route that does not is
 * refused when it is declared, so a new route cannot skip authentication. Every request to one is
 * judged before its body is read: an address that failed too often is 429 with Retry-After; no
 * token or a bad one is 401 with `WWW-Authenticate: Bearer`; a token whose role does not permit
 * the route is 403 naming the role needed. Refusals are audited with the source address.
 */
export function authenticateRequests(app: FastifyInstance, context: ApiContext): void {
  // Made at the first request: the OpenAPI document is rendered from routes with no config.
  let made: FailureLimiter | undefined;
  const limiter = () => (made ??= new FailureLimiter(context.config().settings.api?.authFailures));
  app.decorateRequest('actor', 'anonymous');
  app.decorateRequest('role', null);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(API_PREFIX)) return;
    const access = route.config?.access;
    if (access === undefined) {
      throw new Error(`route ${route.method} ${route.url} says no access: set config.access`);
    }
    route.schema ??= {};
    const schema = route.schema as {
      security?: unknown;
      response?: Record<number, unknown>;
      'x-mend-permission'?: string;
    };
    // The document says what the hook does: the permission, a bearer token, the answers it gives.
    schema['x-mend-permission'] = access.permission;
    if (access.permission === 'public') return;
    schema.security = [{ bearer: [] }];
    schema.response = { ...problems(401, 403, 429), ...schema.response };
  });
  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined || access.permission === 'public') return;
    const now = context.now();
    const source = request.ip;
    const limited = limiter().check(source, now);
    if (!limited.allowed) {
      const seconds = Math.ceil(limited.retryAfterMs / 1000);
      reply.header('retry-after', String(seconds));
      return sendProblem(
        reply,
        429,
        `too many failed attempts from ${source}: try again in ${seconds} s`,
      );
    }
    const judged = await authenticate(request.headers.authorization, context.store, {
      now,
      onTouchError: (err) => context.log.warn({ err }, 'API: cannot record a token’s last use'),
    });
    if (!judged.ok) {
      const failure = limiter().recordFailure(source, now);
      await audit(context, request, 'auth.refused', routeName(request), {
        reason: judged.reason,
        ...(judged.tokenName !== undefined ? { token: judged.tokenName } : {}),
      });
      if (failure.blocked) {
        await audit(context, request, 'auth.limited', source, { forMs: failure.retryAfterMs });
      }
      reply.header('www-authenticate', `Bearer realm="mend", error="invalid_token"`);
      return sendProblem(reply, 401, judged.message);
    }
    limiter().recordSuccess(source, now);
    const { tokenName, role } = judged.principal;
    request.actor = `token:${tokenName}`;
    request.role = role;
    if (!permits(role, access.permission)) {
      await audit(context, request, access.action ?? 'auth.refused', routeName(request), {
        reason: `role ${role} may not ${access.permission}`,
      });
      return forbid(reply, role, access.permission);
    }
  });
}

function forbid(reply: FastifyReply, role: Role, permission: Parameters<typeof permits>[1]) {
  return sendProblem(reply, 403, refusal(role, permission), {
    required: leastRoleFor(permission),
    permission,
  });
}

function routeName(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url}`;
}

async function audit(
  context: ApiContext,
  request: FastifyRequest,
  action: AuditAction,
  target: string,
  params: Record<string, unknown>,
): Promise<void> {
  try {
    await context.store.appendAudit({
      at: context.now(),
      actor: request.actor,
      ...(request.role ? { role: request.role } : {}),
      source: request.ip,
      requestId: request.id,
      action,
      target,
      params,
      result: 'refused',
    });
  } catch (err) {
    // The refusal stands either way; a store that cannot write is on /readyz.
    context.log.error({ err }, `API: cannot audit a refused ${routeName(request)}`);
  }
}

import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseDuration } from '../../config/kinds/duration.ts';
import type { ApiContext, RequestOrigin } from '../../controller-handle.ts';
import type { AuditAction } from '../../store/audit-vocabulary.ts';
import type { Permission } from '../auth/roles.ts';

/** The Fastify instance the routes are declared on: zod schemas, typed requests. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A resource's routes: one file each, registered in routes/index.ts. */
export type RegisterRoutes = (app: ApiApp, context: ApiContext) => void;

/**
 * What a route needs: a permission of the caller's role (src/api/auth/roles.ts), or `public` for
 * what a client needs before it has a token (the OpenAPI document); and, for a mutation, the
 * audit action a refused attempt is written under. Each route says its own: the auth hook
 * refuses a route that does not.
 */
export interface Access {
  permission: Permission | 'public';
  action?: AuditAction;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

/** A time in a query string: RFC 3339, or a duration ago (`7d`, `24h`, `30m`), as the CLI takes. */
export function timeParam(now: () => number) {
  return momentParam().transform((moment) => atTime(moment, now()));
}

/** A time as given: an instant, or a duration before "now", left for the route to resolve. */
export type Moment = { at: number } | { ago: number };

/**
 * timeParam without reading the clock: for a route that resolves several times against one
 * "now" (a report's `since=24h` and its default `until` then span exactly 24 h).
 */
export function momentParam() {
  return z
    .string()
    .describe('RFC 3339 time, or a duration ago such as 7d, 24h, 30m')
    .transform((value, ctx): Moment => {
      const ago = parseDuration(value);
      if (ago !== undefined) return { ago };
      const at = Date.parse(value);
      if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a duration ago such as 7d, 24h, 30m or a time such as 2026-11-24T10:00:00Z, found ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      return { at };
    });
}

export function atTime(moment: Moment, now: number): number {
  return 'ago' in moment ? now - moment.ago : moment.at;
}

/** A page size: 1..500, 50 when not given. */
export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(500)
  .default(50)
  .describe('items per page (1-500, default 50)');

/** Times go out as the store and the CLI's JSON keep them: integer epoch milliseconds. */
export const EpochMs = z.number().int().describe('epoch milliseconds (UTC)');

/** An error answer (src/api/problem.ts) as the OpenAPI document describes it. */
export const ProblemBody = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
  })
  .describe('application/problem+json (RFC 9457)');

/** Response schemas for the problem answers a route gives besides the ones every route can. */
export function problems(...statuses: number[]): Record<number, typeof ProblemBody> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemBody]));
}

/**
 * A response the OpenAPI document describes in part (the fields a client keys on) while the
 * TypeScript view it comes from is the whole shape: extra fields pass through unchanged.
 */
export function describedInPart<T>(schema: z.ZodObject): z.ZodType<T> {
  // The loose object serializes whatever the view holds; only its static type is narrowed here.
  return schema as unknown as z.ZodType<T>;
}

/** Where a request came from, for the audit row of what it asks. */
export function originOf(request: FastifyRequest): RequestOrigin {
  return {
    ...(request.role ? { role: request.role } : {}),
    source: request.ip,
    requestId: request.id,
  };
}

/** A name in a path (a service, an approval id, a token): no control characters, bounded. */
export const PathName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]+$/u, 'no control characters');

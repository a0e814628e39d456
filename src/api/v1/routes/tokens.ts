import { z } from 'zod';
import { parseDuration } from '../../../config/kinds/duration.ts';
import { generateToken, hashToken } from '../../../secrets/api-token.ts';
import { type StoredToken, TOKEN_NAME_PATTERN, TOKEN_ROLES } from '../../../store/store.ts';
import { sendProblem } from '../../problem.ts';
import { EpochMs, originOf, problems, type RegisterRoutes } from '../route-kit.ts';

const Token = z.strictObject({
  name: z.string(),
  role: z.enum(TOKEN_ROLES),
  state: z.enum(['active', 'expired', 'revoked']),
  createdAt: EpochMs,
  expiresAt: EpochMs.optional(),
  revokedAt: EpochMs.optional(),
  lastUsedAt: EpochMs.optional().describe('recorded at most once a minute'),
});

function stateOf(token: StoredToken, now: number): 'active' | 'expired' | 'revoked' {
  if (token.revokedAt !== undefined) return 'revoked';
  if (token.expiresAt !== undefined && token.expiresAt <= now) return 'expired';
  return 'active';
}

export const registerTokens: RegisterRoutes = (app, context) => {
  app.get(
    '/tokens',
    {
      config: { access: { permission: 'tokens:read' } },
      schema: {
        summary: 'Every API token: name, role, state, times. Never the token.',
        tags: ['tokens'],
        response: { 200: z.strictObject({ items: z.array(Token) }) },
      },
    },
    async () => {
      const now = context.now();
      return {
        items: (await context.store.listTokens()).map((t) => ({ ...t, state: stateOf(t, now) })),
      };
    },
  );

  app.post(
    '/tokens',
    {
      config: { access: { permission: 'tokens:write', action: 'token.create' } },
      schema: {
        summary: 'Create a token; the answer holds it, this once (mend keeps only its hash)',
        tags: ['tokens'],
        body: z.strictObject({
          name: z
            .string()
            .regex(TOKEN_NAME_PATTERN, 'letters, digits, ".", "_", "-", at most 64')
            .describe('never reused, even once revoked'),
          role: z.enum(TOKEN_ROLES),
          expires: z
            .string()
            .refine((text) => (parseDuration(text) ?? 0) > 0, 'a duration such as 90d or 12h')
            .optional()
            .describe('expire this long from now (default: never)'),
        }),
        response: {
          201: Token.extend({ token: z.string().describe('shown this once') }),
          ...problems(409),
        },
      },
    },
    async (request, reply) => {
      const { name, role, expires } = request.body;
      const now = context.now();
      const secret = generateToken();
      try {
        const created = await context.store.createToken(
          {
            name,
            role,
            hash: hashToken(secret),
            createdAt: now,
            ...(expires === undefined ? {} : { expiresAt: now + parseDuration(expires)! }),
          },
          { actor: request.actor, ...originOf(request) },
        );
        return reply.code(201).send({ ...created, state: stateOf(created, now), token: secret });
      } catch (err) {
        if (err instanceof RangeError || err instanceof TypeError) {
          return sendProblem(reply, 409, err.message);
        }
        throw err;
      }
    },
  );

  app.post(
    '/tokens/:name/revoke',
    {
      config: { access: { permission: 'tokens:write', action: 'token.revoke' } },
      schema: {
        summary: 'Revoke a token at once: its next request is refused',
        tags: ['tokens'],
        params: z.strictObject({
          name: z
            .string()
            .regex(TOKEN_NAME_PATTERN, 'a token name: letters, digits, ".", "_", "-"'),
        }),
        response: {
          200: Token.extend({ revoked: z.boolean().describe('false: it was revoked already') }),
          ...problems(404),
        },
      },
    },
    async (request, reply) => {
      const now = context.now();
      try {
        const { token, revoked } = await context.store.revokeToken(request.params.name, now, {
          actor: request.actor,
          ...originOf(request),
        });
        return { ...token, state: stateOf(token, now), revoked };
      } catch (err) {
        if (err instanceof RangeError) return sendProblem(reply, 404, err.message);
        throw err;
      }
    },
  );
};

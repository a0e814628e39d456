import { z } from 'zod';
import { GRANTS, PERMISSIONS } from '../../auth/roles.ts';
import type { RegisterRoutes } from '../route-kit.ts';

/**
 * Who the caller's token is: its name, role and what that role permits. The dashboard signs in
 * with it (a token that may not read cannot use the dashboard), and a client can ask before acting.
 */
export const registerWhoami: RegisterRoutes = (app) => {
  app.get(
    '/whoami',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: "The caller's token: its name, its role and the permissions the role grants",
        tags: ['meta'],
        response: {
          200: z.strictObject({
            token: z.string().describe('the token’s name'),
            role: z.enum(['viewer', 'operator', 'admin', 'ingest']),
            permissions: z.array(z.enum(PERMISSIONS)),
          }),
        },
      },
    },
    async (request) => {
      // The auth hook has judged the token before any route runs: role is set here.
      const role = request.role ?? 'viewer';
      return {
        token: request.actor.replace(/^token:/, ''),
        role,
        permissions: [...GRANTS[role]],
      };
    },
  );
};

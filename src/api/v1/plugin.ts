import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { ApiContext } from '../../controller-handle.ts';
import { VERSION } from '../../support/version.ts';
import { API_PREFIX } from './prefix.ts';
import { ROUTES } from './routes/index.ts';

export { API_PREFIX };

/**
 * The operator API under /api/v1: zod schemas validate every request (unknown fields refused),
 * and the same schemas generate the OpenAPI document served at /api/v1/openapi.json.
 */
export async function registerApi(app: FastifyInstance, context: ApiContext): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'mend operator API',
        version: VERSION,
        description:
          'Every action of mend over HTTP. Errors are application/problem+json (RFC 9457). See docs/api.md.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(
    async (api) => {
      const typed = api.withTypeProvider<ZodTypeProvider>();
      for (const register of ROUTES) register(typed, context);
      typed.get(
        '/openapi.json',
        {
          config: { access: { permission: 'public' } },
          schema: { summary: 'This document', tags: ['meta'], hide: true },
        },
        async () => app.swagger(),
      );
    },
    { prefix: API_PREFIX },
  );
}

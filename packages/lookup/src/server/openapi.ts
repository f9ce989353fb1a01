import swagger from '@fastify/swagger';
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';

/** Options of {@link openapiPlugin}. */
export interface OpenapiOptions {
  /** Whether requests need a bearer token (the document then says so). */
  bearer: boolean;
}

/**
 * The OpenAPI 3.1 document, generated from the route schemas registered after this plugin,
 * served at `GET /openapi.json`.
 */
export const openapiPlugin: FastifyPluginCallback<OpenapiOptions> = fp<OpenapiOptions>(
  async (app, { bearer }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Stampede lookup',
          version: '1.0.0',
          description: 'Batched lookups of users by (username, department).',
        },
        ...(bearer && {
          components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
          security: [{ bearer: [] }],
        }),
      },
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'stampede-lookup-openapi' },
);

import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from '../../domain/resources/zod';

/** A registry with the bearer scheme every protected route refers to. */
export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from API_KEYS (roles admin, stats, service), or a user JWT (HS256)',
  });
  registry.registerPath({
    method: 'get',
    path: '/docs',
    summary: 'Swagger UI',
    tags: ['docs'],
    responses: { 200: { description: 'The Swagger UI page', content: { 'text/html': { schema: z.string() } } } },
  });
  return registry;
}

/** The OpenAPI 3.0 document of every route registered so far. */
export function generateDocument(registry: OpenAPIRegistry, version: string): Record<string, unknown> {
  const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Vestnik API',
      version,
      description: 'Admin resources, the event intake and delivery statistics of the Vestnik notification service.',
    },
    servers: [{ url: '/' }],
  });
  return document as unknown as Record<string, unknown>;
}

import type { OpenAPIHono } from '@hono/zod-openapi';

/**
 * `GET /openapi.json` (no auth): the API described from the same zod
 * schemas that validate its requests.
 */
export function registerOpenApiRoute(app: OpenAPIHono): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'downspin control API',
      version: '0.1.0',
      description: 'Sessions and shaping commands of the downspin QA traffic shaper. Errors are `{ "error": { "code", "message" } }`.',
    },
  });
}

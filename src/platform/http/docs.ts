// OpenAPI 3.1 from the route schemas, served as JSON, as interactive docs (Swagger UI) and as ReDoc.
// Both UIs are served from this server (Swagger UI from its package, ReDoc's standalone bundle from vendor/),
// so the docs work without internet access.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import swaggerUi from '@fastify/swagger-ui';
import { registerOpenApi } from './openapi.ts';

export async function registerDocs(app: FastifyInstance, publicUrl: string): Promise<void> {
  await registerOpenApi(app, publicUrl);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const redocBundle = readFileSync(new URL('./vendor/redoc/redoc.standalone.js', import.meta.url));
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('application/javascript').header('cache-control', 'public, max-age=86400').send(redocBundle),
  );
  app.get('/redoc', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html').send(`<!doctype html><html><head><title>Tally API</title><meta charset="utf-8"/></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script></body></html>`),
  );
}

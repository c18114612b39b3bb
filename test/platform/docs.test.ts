// The API documents itself: OpenAPI JSON listing every core route with a summary and every
// request body field with a description, rendered by Swagger UI (/docs) and ReDoc (/redoc).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { resolverOf } from '../helpers/openapi.ts';

const CORE_ROUTES: Array<[method: string, path: string]> = [
  ['post', '/api/user/register'],
  ['post', '/api/token'],
  ['post', '/api/accounts'],
  ['get', '/api/accounts'],
  ['get', '/api/accounts/{id}/whitelist'],
  ['post', '/api/accounts/{id}/whitelist'],
  ['post', '/api/devices'],
  ['get', '/api/devices'],
  ['post', '/api/certificates/issue'],
  ['post', '/api/certificates/query'],
  ['get', '/api/certificates/{id}'],
  ...['transfer', 'cancel', 'claim', 'withdraw', 'reserve', 'unreserve', 'lock', 'unlock'].map(
    (a): [string, string] => ['post', `/api/certificates/${a}`],
  ),
];

/**
 * Paths of every property under `schema` that has no description, following references into the
 * document's components (a reference's own description, or else its component's, describes it).
 */
function undescribed(spec: any, reference: any, at: string, out: string[] = []): string[] {
  const resolve = resolverOf(() => spec);
  const schema = resolve(reference);
  if (!schema || typeof schema !== 'object') return out;
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) for (const s of schema[k] ?? []) undescribed(spec, s, at, out);
  for (const [name, prop] of Object.entries<any>(schema.properties ?? {})) {
    const description = prop.description ?? resolve(prop)?.description;
    if (typeof description !== 'string' || description.trim() === '') out.push(`${at}/${name}`);
    undescribed(spec, prop, `${at}/${name}`, out);
  }
  if (schema.items) undescribed(spec, schema.items, `${at}/*`, out);
  return out;
}

describe('API documentation', () => {
  let s: TestServer;
  let spec: any;

  beforeAll(async () => {
    s = await startServer();
    const r = await s.request('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    spec = r.body;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('is OpenAPI 3.1 with bearer and API key security', () => {
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.info).toMatchObject({ title: 'Tally API', version: expect.any(String) });
    expect(spec.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
  });

  it.each(CORE_ROUTES)('lists %s %s with a summary', (method, path) => {
    const op = spec.paths[path]?.[method];
    expect(op, `${method.toUpperCase()} ${path} is missing`).toBeDefined();
    expect(op.summary).toEqual(expect.stringMatching(/\S/));
  });

  it('gives every operation a summary', () => {
    const missing = Object.entries<any>(spec.paths).flatMap(([path, ops]) =>
      Object.entries<any>(ops)
        .filter(([, op]) => !op.summary)
        .map(([m]) => `${m.toUpperCase()} ${path}`),
    );
    expect(missing).toEqual([]);
  });

  it('describes every request body field', () => {
    const missing: string[] = [];
    let bodies = 0;
    for (const [path, ops] of Object.entries<any>(spec.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        if (!schema) continue;
        bodies++;
        missing.push(...undescribed(spec, schema, `${method.toUpperCase()} ${path} body`));
      }
    }
    expect(bodies).toBeGreaterThanOrEqual(20);
    expect(missing).toEqual([]);
  });

  it('documents the problem answers of the writing routes', () => {
    const transfer = spec.paths['/api/certificates/transfer'].post;
    expect(Object.keys(transfer.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '409', '422']),
    );
  });

  it.each(['/docs/', '/redoc'])('serves %s as HTML', async (path) => {
    const r = await s.request('GET', path);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.body).toMatch(/<html/i);
  });

  it('serves the Swagger UI assets and the ReDoc bundle it links to', async () => {
    const redoc = await s.request('GET', '/redoc');
    expect(redoc.body).toContain('spec-url="/openapi.json"');
    const bundle = await s.request('GET', '/redoc/redoc.standalone.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/^application\/javascript/);
    const ui = await s.request('GET', '/docs/static/swagger-ui.css');
    expect(ui.status).toBe(200);
  });
});

// The OpenAPI document is one a client generator is happy with: `redocly lint` finds nothing under
// the committed redocly.yaml, openapi-typescript turns it into types, it stays lean (under 2.5 kB
// per operation: the 79 operations of the foundation issue fitted in its 200 kB), and
// every operation says who it is, what it takes and answers (with examples) and which problem codes
// it may send, all of them from the one catalogue.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_CODES, type ProblemCode } from '../../src/platform/problem-codes.ts';
import { resolverOf } from '../helpers/openapi.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);
const redocly = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
const config = new URL('../../redocly.yaml', import.meta.url).pathname;

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('the OpenAPI document', () => {
  let s: TestServer;
  let text: string;
  let doc: Json;
  let dir: string;
  let file: string;
  const operations: Array<{ name: string; op: Json; path: string }> = [];
  /** Follows a local `$ref` (`#/components/...`). */
  const resolve: (node: Json) => Json = resolverOf(() => doc);

  beforeAll(async () => {
    s = await startServer();
    const r = await fetch(`${s.url}/openapi.json`);
    text = await r.text();
    doc = JSON.parse(text);
    for (const [path, item] of Object.entries<Json>(doc.paths))
      for (const [method, op] of Object.entries<Json>(item))
        if (METHODS.includes(method)) operations.push({ name: `${method.toUpperCase()} ${path}`, op, path });
    dir = await mkdtemp(join(tmpdir(), 'tally-openapi-'));
    file = join(dir, 'openapi.json');
    await writeFile(file, text);
  });
  afterAll(async () => {
    await s?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes redocly lint under redocly.yaml with no error and no warning', async () => {
    const lint = await run(process.execPath, [redocly, 'lint', file, '--config', config, '--format', 'json'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((err: { stdout: string }) => err);
    const report = JSON.parse(lint.stdout.slice(lint.stdout.indexOf('{')));
    expect(report.problems.map((p: Json) => `${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  // The foundation issue asked for a document under 200 kB when Tally had 79 operations (it was
  // 188 kB then, from 520 kB inlined). The API grows with every module, so the bound is that
  // density: shared schemas, parameters and answers keep each operation's share small.
  it('stays under 2.5 kB per operation as served', () => {
    expect(Buffer.byteLength(text) / operations.length).toBeLessThan(2_500);
  });

  it('turns into TypeScript types with openapi-typescript', async () => {
    const types = astToString(await openapiTS(new URL(`file://${file}`)));
    expect(types).toContain('export interface operations');
    for (const { op } of operations) expect(types).toContain(`${op.operationId}: {`);
  });

  it('names, summarises and describes every operation, each operationId once', () => {
    const missing = operations.filter(({ op }) => !op.operationId || !op.summary?.trim() || !op.description?.trim());
    expect(missing.map((o) => o.name)).toEqual([]);
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every operation a described success answer with a schema and an example', () => {
    const missing: string[] = [];
    for (const { name, op } of operations) {
      const successes = Object.entries<Json>(op.responses).filter(([status]) => /^2/.test(status));
      if (successes.length === 0) missing.push(`${name}: no success answer`);
      for (const [status, answer] of successes.map(([k, v]) => [k, resolve(v)] as const)) {
        if (!answer.description?.trim()) missing.push(`${name} ${status}: no description`);
        const media = Object.values<Json>(answer.content ?? {})[0];
        if (!media?.schema) {
          missing.push(`${name} ${status}: no schema`);
          continue;
        }
        // A component answered whole shows the example it holds; so does a list or page of one.
        const schema = resolve(media.schema);
        const item = schema.properties?.items?.items && resolve(schema.properties.items.items);
        if (media.example === undefined && !schema.examples?.length && !item?.examples?.length)
          missing.push(`${name} ${status}: no example`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('gives every request body and parameter an example', () => {
    const missing: string[] = [];
    for (const { name, op } of operations) {
      for (const [type, media] of Object.entries<Json>(op.requestBody?.content ?? {}))
        if (media.example === undefined) missing.push(`${name} body ${type}`);
      for (const parameter of (op.parameters ?? []).map(resolve))
        if (parameter.example === undefined && parameter.name !== 'Idempotency-Key')
          missing.push(`${name} ${parameter.in} ${parameter.name}`);
    }
    expect(missing).toEqual([]);
  });

  it('answers every problem as application/problem+json with its codes, all from the catalogue at their status', () => {
    const wrong: string[] = [];
    for (const { name, op } of operations) {
      const problems = Object.entries<Json>(op.responses).filter(([status]) => Number(status) >= 400);
      if (!problems.some(([status]) => /^4/.test(status))) wrong.push(`${name}: no 4xx answer`);
      for (const [status, answer] of problems.map(([k, v]) => [k, resolve(v)] as const)) {
        const schema = answer.content?.['application/problem+json']?.schema;
        const codes: string[] = schema?.allOf?.[1]?.properties?.code?.enum ?? [];
        if (schema?.allOf?.[0]?.$ref !== '#/components/schemas/Problem' || codes.length === 0)
          wrong.push(`${name} ${status}: not a Problem with its codes`);
        for (const code of codes)
          if (PROBLEM_CODES[code as ProblemCode]?.status !== Number(status))
            wrong.push(`${name} ${status}: ${code} is not a catalogue code of that status`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lists the whole catalogue in the Problem schema', () => {
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual(Object.keys(PROBLEM_CODES));
  });

  it('documents where the known refusals come from', () => {
    const transfer = doc.paths['/api/certificates/transfer'].post;
    const codes = (status: number) =>
      resolve(transfer.responses[status]).content['application/problem+json'].schema.allOf[1].properties.code.enum;
    expect(codes(400)).toEqual(expect.arrayContaining(['invalid_request', 'target_required', 'same_account']));
    expect(codes(422)).toEqual(expect.arrayContaining(['transfer_not_accepted', 'insufficient_quantity']));
    expect(codes(409)).toEqual(expect.arrayContaining(['invalid_status', 'bundle_not_in_account']));
    // The schema requires what the action needs.
    expect(transfer.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['source_id', 'granular_certificate_bundle_ids', 'target_id']),
    );
    expect(
      doc.paths['/api/certificates/cancel'].post.requestBody.content['application/json'].schema.required,
    ).toContain('beneficiary');
  });

  it('keeps public routes out of the global security requirement', () => {
    expect(doc.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    for (const path of ['/api/token', '/api/user/register', '/api/ledger/blocks', '/api/disclosures/{id}/data.json'])
      expect(doc.paths[path][path === '/api/token' || path === '/api/user/register' ? 'post' : 'get'].security).toEqual(
        [],
      );
    expect(doc.paths['/api/certificates/transfer'].post.security).toBeUndefined();
  });

  it('marks the routes that only read, offers them Tally-Read-After and no Idempotency-Key', () => {
    const params = (op: Json) => (op.parameters ?? []).map((p: Json) => p.$ref);
    const readOnly = operations.filter((o) => o.op['x-read-only']).map((o) => o.name);
    expect(readOnly).toEqual(
      expect.arrayContaining([
        'POST /api/certificates/query',
        'POST /api/certificates/aggregate',
        'GET /api/certificates/statements/{id}',
        'GET /api/disclosures/{id}/data.json',
        'GET /api/disclosures/{id}/data.csv',
        'GET /api/ledger/export',
        'GET /api/events/{id}/proof',
        'GET /api/communities/{id}/statements.csv',
      ]),
    );
    for (const { name, op } of operations) {
      const read = Boolean(op['x-read-only']);
      expect([name, params(op).includes('#/components/parameters/ReadAfter')]).toEqual([name, read]);
      if (read) expect([name, params(op).includes('#/components/parameters/IdempotencyKey')]).toEqual([name, false]);
    }
    expect(params(doc.paths['/api/certificates/query'].post)).not.toContain('#/components/parameters/IdempotencyKey');
    expect(params(doc.paths['/api/certificates/transfer'].post)).toContain('#/components/parameters/IdempotencyKey');
    expect(operations.find((o) => o.name === 'POST /api/certificates/transfer')?.op['x-read-only']).toBeUndefined();
  });

  it('shares schemas through components', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Bundle', 'Device', 'Account', 'ActionResult', 'Problem', 'MeteringPoint', 'Community']),
    );
    expect(doc.paths['/api/certificates/transfer'].post.responses['200']).toEqual({
      $ref: '#/components/responses/ActionResult',
    });
    // A parameter several operations take is one component: the id in a path, a page's limit and cursor.
    expect(doc.paths['/api/devices/{id}'].get.parameters).toEqual([{ $ref: '#/components/parameters/Id' }]);
    expect(doc.paths['/api/devices'].get.parameters).toEqual(
      expect.arrayContaining([{ $ref: '#/components/parameters/Limit' }, { $ref: '#/components/parameters/Cursor' }]),
    );
    expect(resolve({ $ref: '#/components/parameters/Id' })).toMatchObject({ in: 'path', name: 'id', required: true });
  });
});

describe('problem codes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  const cases: Array<[string, { method: string; path: string; raw?: string; type?: string }, number, string]> = [
    ['an unknown route', { method: 'GET', path: '/api/nowhere' }, 404, 'route_not_found'],
    [
      'malformed JSON',
      { method: 'POST', path: '/api/token', raw: '{', type: 'application/json' },
      400,
      'ctp_invalid_json_body',
    ],
    [
      'an unread content type',
      { method: 'POST', path: '/api/token', raw: '<x/>', type: 'application/xml' },
      415,
      'ctp_invalid_media_type',
    ],
    ['a missing token', { method: 'GET', path: '/api/user/me' }, 401, 'unauthorized'],
  ];
  it.each(cases)('sends %s a catalogue code at its status', async (_name, req, status, code) => {
    const r = await s.request(req.method, req.path, {
      ...(req.raw !== undefined ? { raw: req.raw, headers: { 'content-type': req.type ?? '' } } : {}),
    });
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ code, status, type: `urn:tally:problem:${code}` });
    expect(PROBLEM_CODES[r.body.code as ProblemCode].status).toBe(status);
  });
});

// Malformed input to EVERY route of the OpenAPI document: JSON nested thousands deep, a body over
// the limit, leap seconds and offsets that push a time out of its years. Each is a 4xx
// problem+json naming what is wrong, never a 5xx and never a reset connection, and changes nothing.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startServer, type Reply, type TestServer } from '../helpers/server.ts';
import { parseTimestamp } from '../../src/platform/timestamp.ts';
import { MAX_BODY_DEPTH, refuseDeepBody } from '../../src/platform/http/depth.ts';
import { resolverOf } from '../helpers/openapi.ts';

const BODY_LIMIT = 64 * 1024;
const BAD_TIMES = [
  '2026-06-30T23:59:60Z',
  '0001-01-01T00:00:00+23:59',
  '9998-12-31T23:59:59-00:01',
  '2026-06-01T10:00:00',
];

interface Operation {
  method: string;
  path: string;
  op: any;
}

/**
 * Sends `body` with node's own client, as a stream: with a content-length, or chunked so the server
 * only learns the size while reading. A reset connection rejects, so the test sees it.
 */
function sendLarge(url: string, method: string, token: string, body: Buffer, chunked: boolean): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(chunked ? {} : { 'content-length': String(body.length) }),
    };
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(text),
          headers: new Headers(res.headers as Record<string, string>),
        }),
      );
    });
    req.on('error', reject);
    for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
    req.end();
  });
}

/** The document the operations come from, and a local `$ref` (`#/components/...`) in it followed. */
let spec: any;
const resolve = resolverOf(() => spec);
const parametersOf = (op: any): any[] => (op.parameters ?? []).map(resolve);

/**
 * A path with its parameters filled by values their schemas accept, so the check under test is the
 * one that answers.
 */
function fillPath(path: string, op: any): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const parameter = parametersOf(op).find((p: any) => p.in === 'path' && p.name === name);
    if (!parameter) throw new Error(`${path} documents no path parameter ${name}`);
    const schema = parameter.schema ?? {};
    if (schema.type === 'integer') return '1';
    if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
    // A pattern (a UUID, a point id) is met by the example the document shows.
    const example = parameter.example ?? parameter.examples?.[0] ?? schema.examples?.[0];
    if (example !== undefined) return encodeURIComponent(String(example));
    return 'P1';
  });
}

/** JSON pointers (without the leading `/`) of every date-time field of a body schema; arrays at index 0. */
function dateTimeFields(reference: any, at: string[] = []): string[][] {
  const schema = resolve(reference);
  if (!schema || typeof schema !== 'object') return [];
  if (schema.format === 'date-time') return [at];
  const found: string[][] = [];
  for (const [name, sub] of Object.entries<any>(schema.properties ?? {}))
    found.push(...dateTimeFields(sub, [...at, name]));
  if (schema.items) found.push(...dateTimeFields(schema.items, [...at, '0']));
  for (const sub of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    found.push(...dateTimeFields(sub, at));
  return found;
}

/** A body holding `value` at `path` and nothing else. */
function bodyWith(path: string[], value: string): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  return head === '0' ? [bodyWith(rest, value)] : { [head]: bodyWith(rest, value) };
}

function expectProblem(reply: Reply, status: number, code?: string, field?: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  if (code) expect(reply.body.code).toBe(code);
  if (field !== undefined)
    expect(
      reply.body.errors?.map((e: { field: string }) => e.field),
      JSON.stringify(reply.body),
    ).toContain(field);
}

describe('hostile input on every route', () => {
  let s: TestServer;
  let admin: string;
  let operations: Operation[];

  beforeAll(async () => {
    s = await startServer({ TALLY_BODY_LIMIT: String(BODY_LIMIT) });
    admin = (await s.user('admin')).token;
    spec = (await s.request('GET', '/openapi.json')).body;
    operations = Object.entries<any>(spec.paths).flatMap(([path, ops]) =>
      Object.entries<any>(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
  });
  afterAll(async () => {
    await s?.close();
  });

  const withBody = () => operations.filter((o) => o.op.requestBody?.content?.['application/json']);

  /** Sends each request, checking no event was appended by any of them. */
  async function unchanged(send: () => Promise<void>): Promise<void> {
    const before = await s.eventCount();
    await send();
    expect(await s.eventCount()).toBe(before);
  }

  it('finds the routes it must try', () => {
    expect(withBody().map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining(['POST /api/token', 'POST /api/certificates/query', 'POST /api/certificates/claim']),
    );
    expect(withBody().length).toBeGreaterThan(20);
  });

  it('refuses JSON nested 5,000 deep with 400 body_too_deep on every body route, logged in or not', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    await unchanged(async () => {
      for (const { method, path, op } of withBody()) {
        for (const token of [admin, undefined]) {
          const reply = await s.request(method, fillPath(path, op), {
            token,
            raw: deep,
            headers: { 'content-type': 'application/json' },
          });
          if (token === undefined && reply.status === 401) continue;
          expectProblem(reply, 400, 'body_too_deep', 'body');
        }
      }
    });
  });

  it.each([false, true])(
    'refuses a body over the limit with 413 on every body route, answered before the connection closes (chunked: %s)',
    async (chunked) => {
      const big = Buffer.from(JSON.stringify({ padding: 'x'.repeat(4 * 1024 * 1024) }));
      await unchanged(async () => {
        for (const { method, path, op } of withBody()) {
          expectProblem(
            await sendLarge(s.url + fillPath(path, op), method, admin, big, chunked),
            413,
            'ctp_body_too_large',
            'body',
          );
        }
      });
    },
  );

  it('refuses leap seconds, times without a zone and offsets that leave the years 2000–9998, naming the field, in every query and body', async () => {
    let tried = 0;
    await unchanged(async () => {
      for (const { method, path, op } of operations) {
        const url = fillPath(path, op);
        for (const p of parametersOf(op).filter((p: any) => p.in === 'query' && p.schema?.format === 'date-time')) {
          for (const bad of BAD_TIMES) {
            expectProblem(
              await s.request(method, `${url}?${p.name}=${encodeURIComponent(bad)}`, { token: admin }),
              400,
              'invalid_request',
              `querystring/${p.name}`,
            );
            tried++;
          }
        }
        for (const field of dateTimeFields(op.requestBody?.content?.['application/json']?.schema)) {
          for (const bad of BAD_TIMES) {
            expectProblem(
              await s.request(method, url, { token: admin, body: bodyWith(field, bad) }),
              400,
              'invalid_request',
              `body/${field.join('/')}`,
            );
            tried++;
          }
        }
      }
    });
    expect(tried).toBeGreaterThan(40);
  });
});

describe('parseTimestamp', () => {
  it('reads back every instant of the years 2000–9998 written as ISO 8601, in UTC or with an offset', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T23:59:59.999Z'),
          max: new Date('9998-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (t, offset) => {
          const wall = new Date(t.getTime() + offset * 60_000).toISOString().slice(0, -1);
          const zone =
            `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:` +
            `${String(Math.abs(offset) % 60).padStart(2, '0')}`;
          expect(parseTimestamp(t.toISOString())).toEqual(t);
          expect(parseTimestamp(`${wall}${zone}`)).toEqual(t);
        },
      ),
    );
  });

  it.each([
    '2026-06-30T23:59:60Z',
    '0001-01-01T00:00:00+23:59',
    '1999-12-31T23:59:59Z',
    '9999-01-01T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-06-01T10:00:00',
    '2026-06-01 10:00:00Z',
    '2026-06-01T10:00Z',
    'September 2, 2026 00:00 UTC',
    '2026-06-01T10:00:00+24:00',
  ])('refuses %s', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });

  it.each(['2000-02-29T12:00:00Z', '2024-02-29T00:00:00Z', '1999-12-31T23:30:00-01:00', '9998-12-31T23:59:59Z'])(
    'reads %s',
    (text) => {
      expect(parseTimestamp(text)).toEqual(new Date(text));
    },
  );
});

describe('refuseDeepBody', () => {
  const depthOf = (v: unknown): number =>
    v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0;
  const nest = (v: unknown, levels: number): unknown =>
    levels === 0 ? v : nest(levels % 2 ? [v] : { a: v }, levels - 1);

  it(`takes every body at most ${MAX_BODY_DEPTH} levels deep and refuses every deeper one (property)`, () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.integer({ min: 0, max: 2 * MAX_BODY_DEPTH }), (inner, levels) => {
        const body = nest(inner, levels);
        const refused = (() => {
          try {
            refuseDeepBody({ body });
            return false;
          } catch {
            return true;
          }
        })();
        expect(refused).toBe(depthOf(body) > MAX_BODY_DEPTH);
      }),
    );
  });

  it('walks a body a million levels deep without a stack', () => {
    let body: unknown = 1;
    for (let k = 0; k < 1_000_000; k++) body = [body];
    expect(() => refuseDeepBody({ body })).toThrow(/nests more than 64 levels/);
  });
});

// The EnergyTag face's HTTP scope under /energytag/v2: the draft's one refusal shape for every
// error and unknown path, OAuth2's form-encoded token request, and a route helper that declares
// each route as schema + access rule + one call into the modules, answered with the draft's status.
import type { FastifyRequest, HTTPMethods } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { App, AppContext } from '../../platform/context.ts';
import { type Access, caller } from '../../platform/http/access.ts';
import type { Db } from '../../platform/database.ts';
import type { Principal } from '../../platform/principal.ts';
import { DraftError, refuse, sendDraftError } from './wire.ts';

export const PREFIX = '/energytag/v2';

type Part<S extends TSchema | undefined> = S extends TSchema ? Static<S> : undefined;

export interface Call<B extends TSchema | undefined, Q extends TSchema | undefined> {
  request: FastifyRequest;
  body: Part<B>;
  query: Part<Q>;
  params: Record<string, string>;
  /** The database for the call's work (`request.db`, traced with the request when it is). */
  db: Db;
  /** The authenticated caller. */
  caller(): Principal;
}

export interface DraftRoute<B extends TSchema | undefined, Q extends TSchema | undefined> {
  method: HTTPMethods;
  path: string | readonly string[];
  access: Access;
  /** The draft's success status for the operation. */
  status: 200 | 201 | 202;
  body?: B;
  /**
   * The query string; with `bodyOnGet`, a GET's JSON body is read as the same filter (the draft's
   * GET with a body), its fields over the query string's.
   */
  query?: Q;
  bodyOnGet?: boolean;
  rateLimit?: { max: number; timeWindow: string };
  mintsSecrets?: boolean;
  /** The operation changes nothing: a read replica may answer it (platform/http/read-routing.ts). */
  readOnly?: boolean;
  handler(call: Call<B, Q>): Promise<unknown>;
}

/** Reads a GET's JSON body, which Fastify leaves unread, within the body limit. */
async function jsonBodyOfGet(request: FastifyRequest, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > limit) throw refuse(['body'], `the body is larger than ${limit} bytes`, 'value_error.body_too_large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw refuse(['body'], 'the body is not JSON', 'value_error.jsondecode');
  }
}

export class Face {
  readonly app: App;
  readonly ctx: AppContext;

  constructor(app: App, ctx: AppContext) {
    this.app = app;
    this.ctx = ctx;
  }

  route<B extends TSchema | undefined = undefined, Q extends TSchema | undefined = undefined>(
    spec: DraftRoute<B, Q>,
  ): void {
    const limit = this.ctx.config.bodyLimit;
    for (const url of typeof spec.path === 'string' ? [spec.path] : spec.path) {
      this.app.route({
        method: spec.method,
        url,
        schema: {
          hide: true,
          ...(spec.body ? { body: spec.body } : {}),
          ...(spec.query ? { querystring: spec.query } : {}),
        },
        config: {
          access: spec.access,
          ...(spec.rateLimit ? { rateLimit: spec.rateLimit } : {}),
          ...(spec.mintsSecrets ? { mintsSecrets: true } : {}),
          ...(spec.readOnly ? { readOnly: true } : {}),
        },
        // After the access rule (root hooks run first), so an anonymous caller's body is never read.
        ...(spec.bodyOnGet
          ? {
              preValidation: async (request: FastifyRequest) => {
                const body = await jsonBodyOfGet(request, limit);
                if (body === undefined) return;
                if (typeof body !== 'object' || body === null || Array.isArray(body))
                  throw refuse(['body'], 'the body is a JSON object of filters', 'type_error.dict');
                request.energytagBody = true;
                (request as { query: unknown }).query = { ...(request.query as object), ...body };
              },
            }
          : {}),
        handler: async (request, reply) => {
          const data = await spec.handler({
            request,
            body: request.body as Part<B>,
            query: request.query as Part<Q>,
            params: request.params as Record<string, string>,
            db: request.db,
            caller: () => caller(request),
          });
          return reply.code(spec.status).send(data);
        },
      });
    }
  }
}

/** The scope's plumbing: the draft's refusal shape everywhere, and OAuth2's form-encoded token request. */
export function energytagScope(app: App, ctx: AppContext): void {
  app.setErrorHandler((err, request, reply) => sendDraftError(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendDraftError(new DraftError(404, [{ loc: ['path'], msg: 'Not Found', type: 'not_found' }]), request, reply),
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: ctx.config.bodyLimit },
    (_request, text, done) => done(null, Object.fromEntries(new URLSearchParams(text as string))),
  );
}

// The DSBI face's HTTP scope under /dsbi: its own error handler (DSBI's error shapes instead of
// problem+json), its own 404 (Django's HTML page), 405s for known paths, 301s where DSBI wants a
// trailing slash, and a route helper that declares each route as schema (DSBI's fields) + access
// rule + one call into the modules, wrapping the answer in `{"code","data"}`.
import type { FastifyError, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { App, AppContext } from '../../platform/context.ts';
import { TallyError } from '../../platform/errors.ts';
import { type Access, caller } from '../../platform/http/access.ts';
import type { Db } from '../../platform/database.ts';
import type { Principal } from '../../platform/principal.ts';
import { type Params, type Parsed, type ParsedQuery, parseBody, parseQuery, type Shape } from './fields.ts';
import {
  BAD_TOKEN,
  DsbiError,
  detail,
  errorBody,
  fieldError,
  invalid,
  NO_CREDENTIALS,
  NOT_FOUND_PAGE,
  NOT_PERMITTED,
  plainBody,
  UNEXPECTED_MESSAGE,
} from './wire.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A DSBI route: whether its answers are wrapped, and whether it is a token route (bad tokens ignored). */
    dsbi?: { wrapped: boolean; token?: boolean };
  }
}

export const PREFIX = '/dsbi';

/** What a route's handler is called with: the parsed body and query, the path's parameters, the database, the caller. */
export interface Call<S extends Shape, P extends Params> {
  request: FastifyRequest;
  reply: FastifyReply;
  body: Parsed<S>;
  query: ParsedQuery<P>;
  params: Record<string, string>;
  /** The database for the call's work (`request.db`, traced with the request when it is). */
  db: Db;
  /** The authenticated caller (a 401 on a public route without one). */
  caller(): Principal;
}

export interface RouteSpec<S extends Shape, P extends Params> {
  method: HTTPMethods;
  /** The path, or its spellings (with and without a trailing slash where DSBI takes both). */
  path: string | readonly string[];
  access: Access;
  body?: S;
  query?: P;
  /** The success status: 200 unless DSBI answers otherwise (register and resource creation: 201). */
  status?: number;
  /** DSBI's `{"code","data"}` wrapper: on every route but the token and password-reset ones. */
  wrapped?: boolean;
  token?: boolean;
  rateLimit?: { max: number; timeWindow: string };
  mintsSecrets?: boolean;
  /** Answers the route's data, or the reply itself when it sent something else (an HTML page). */
  handler(call: Call<S, P>): Promise<unknown>;
}

/** A path with and without its trailing slash: DSBI's list routes take both. */
export const slashOptional = (path: string): readonly string[] => [path, `${path}/`];

/** Who a path lets in first, for the 405 of a method it does not have: DRF checks access before the method. */
const rank = (a: Access) => (a === 'public' ? 0 : a === 'user' ? 1 : 2);

/** Whether the Accept header lets a JSON answer through (DRF answers 406 otherwise). */
function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((part) => part.split(';')[0]?.trim().toLowerCase())
    .some((type) => type === 'application/json' || type === 'application/*' || type === '*/*');
}

/** Any error as DSBI answers it. */
function toDsbi(err: unknown, request: FastifyRequest): DsbiError {
  if (err instanceof DsbiError) return err;
  if (err instanceof TallyError) {
    if (err.status === 401) {
      const credentials = request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined;
      return detail(401, credentials ? BAD_TOKEN : NO_CREDENTIALS);
    }
    if (err.status === 403) return detail(403, NOT_PERMITTED);
    if (err.status === 400 || err.status === 422) {
      const named = err.errors?.[0]?.field;
      return named ? fieldError(named.slice(named.lastIndexOf('/') + 1), err.message) : invalid([err.message]);
    }
    return detail(err.status, err.message);
  }
  const e = err as FastifyError & { code?: string };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return detail(415, `Unsupported media type "${request.headers['content-type'] ?? ''}" in request.`);
    return detail(e.statusCode, e.message);
  }
  if (e.code === '40001' || e.code === '40P01' || e.code === '55P03')
    return detail(409, 'A concurrent request changed the same rows; retry.');
  return detail(500, UNEXPECTED_MESSAGE);
}

function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (request.is404) return reply.code(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE);
  const e = toDsbi(err, request);
  if (e.status >= 500) request.log.error({ err }, 'DSBI request failed');
  else request.log.info({ status: e.status }, e.message);
  if (e.status === 401) reply.header('www-authenticate', 'Bearer realm="api"');
  const wrapped = request.routeOptions.config.dsbi?.wrapped ?? true;
  return reply.code(e.status).send(wrapped ? errorBody(e.status, e.payload) : plainBody(e.payload));
}

/** The routes of one scope, with the methods each path answers, so the others can answer 405. */
export class Face {
  readonly app: App;
  readonly ctx: AppContext;
  private readonly paths = new Map<string, { methods: Set<HTTPMethods>; access: Access; wrapped: boolean }>();

  constructor(app: App, ctx: AppContext) {
    this.app = app;
    this.ctx = ctx;
  }

  route<S extends Shape = Record<never, never>, P extends Params = Record<never, never>>(spec: RouteSpec<S, P>): void {
    const status = spec.status ?? 200;
    const wrapped = spec.wrapped ?? true;
    // Public routes are limited per address as Tally's own are (TALLY_PUBLIC_RATE_LIMIT), unless they have a limit of their own.
    const rateLimit =
      spec.rateLimit ??
      (spec.access === 'public' ? { max: this.ctx.config.publicRateLimit, timeWindow: '1 minute' } : undefined);
    for (const url of typeof spec.path === 'string' ? [spec.path] : spec.path) {
      const known = this.paths.get(url) ?? { methods: new Set(), access: spec.access, wrapped };
      known.methods.add(spec.method);
      if (rank(spec.access) < rank(known.access)) known.access = spec.access;
      this.paths.set(url, known);
      this.app.route({
        method: spec.method,
        url,
        schema: { hide: true },
        config: {
          access: spec.access,
          dsbi: { wrapped, ...(spec.token ? { token: true } : {}) },
          ...(rateLimit ? { rateLimit } : {}),
          ...(spec.mintsSecrets ? { mintsSecrets: true } : {}),
        },
        // The body and query are read after the access rule (root preValidation hooks run first).
        preValidation: async (request) => {
          if (spec.body) (request as { body: unknown }).body = parseBody(spec.body, request.body);
          if (spec.query) (request as { query: unknown }).query = parseQuery(spec.query, request.query);
        },
        handler: async (request, reply) => {
          const data = await spec.handler({
            request,
            reply,
            body: request.body as Parsed<S>,
            query: request.query as ParsedQuery<P>,
            params: request.params as Record<string, string>,
            db: request.db,
            caller: () => caller(request),
          });
          if (data === reply) return reply;
          return reply.code(status).send(wrapped ? { code: status, data } : data);
        },
      });
    }
  }

  /** Paths DSBI wants with a trailing slash answer 301 to it without one (Django's APPEND_SLASH). */
  redirectToSlash(path: string): void {
    this.app.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: path,
      schema: { hide: true },
      config: { access: 'public', dsbi: { wrapped: true } },
      handler: async (request, reply) => {
        const [pathname, query] = request.url.split('?');
        return reply.redirect(`${pathname}/${query === undefined ? '' : `?${query}`}`, 301);
      },
    });
  }

  /** Every known path answers the methods it lacks with DRF's 405 (after DRF's access check). */
  finish(): void {
    const all: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    for (const [url, { methods, access, wrapped }] of this.paths) {
      const missing = all.filter((m) => !methods.has(m));
      if (!methods.has('GET')) missing.push('HEAD');
      if (missing.length === 0) continue;
      const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].join(', ');
      this.app.route({
        method: missing,
        url,
        schema: { hide: true },
        config: { access, dsbi: { wrapped } },
        handler: async (request, reply) => {
          reply.header('allow', allow);
          throw detail(405, `Method "${request.method}" not allowed.`);
        },
      });
    }
  }
}

/**
 * The scope's plumbing. On DSBI a bad or expired token is refused on every route but the token
 * routes, public ones included (Tally's own public routes ignore it); a client that accepts no JSON
 * is answered 406.
 */
export function dsbiScope(app: App): void {
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE));
  app.addHook('onRequest', async (request) => {
    if (request.is404) return;
    const dsbi = request.routeOptions.config.dsbi;
    if (dsbi?.token) return;
    const credentials = request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined;
    if (credentials && request.principal === undefined) throw detail(401, BAD_TOKEN);
    if (dsbi?.wrapped !== false && !acceptsJson(request.headers.accept))
      throw detail(406, 'Could not satisfy the request Accept header.');
  });
}

// The HTTP application: validation, access rules, idempotency, problems, docs, and each module's routes.
import Fastify, { type FastifyBaseLogger } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext, App } from '../context.ts';
import { tooManyRequests, TallyError } from '../errors.ts';
import { sendProblem } from './problems.ts';
import { registerAccessRules } from './access.ts';
import { registerReadRouting } from './read-routing.ts';
import { registerRequestDatabase } from './request-database.ts';
import { registerIdempotency } from './idempotency.ts';
import { registerDocs } from './docs.ts';
import { registerWebUi, wantsWebUi, type WebUi } from './web-ui.ts';
import { registerHealth } from './health.ts';
import { registerMetrics } from './metrics.ts';
import type { AppMetrics } from '../metrics.ts';
import type { JobsPulse } from '../health.ts';
import { clockStore } from './rate-limit-store.ts';
import { refuseNul } from './text.ts';
import { compileSerializer } from './serializer.ts';
import { timestampMs } from '../timestamp.ts';

export type RoutePlugin = (app: App, ctx: AppContext) => Promise<void> | void;

/**
 * Bodies are validated strictly: no type coercion, unknown fields refused (not silently dropped),
 * so a client learns about its typo. Query strings and path parameters arrive as text and are coerced.
 */
function makeAjv(coerce: boolean) {
  const ajv = new Ajv({
    coerceTypes: coerce ? 'array' : false,
    removeAdditional: false,
    useDefaults: true,
    allErrors: true,
    // Errors carry their schema, so a missing field can answer with its own code (problems.ts).
    verbose: true,
    strict: false,
  });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  // ajv's own date-time takes leap seconds and any year; every route reads times as Tally does.
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => timestampMs(text) !== undefined });
  return ajv;
}

export async function buildApp(
  ctx: AppContext,
  routes: {
    authenticate: RoutePlugin;
    modules: RoutePlugin[];
    pulse?: JobsPulse;
    metrics?: AppMetrics;
    /** The built web UI, served at `/`; absent for a jobs-only process or an unbuilt checkout. */
    webUi?: WebUi | undefined;
  },
): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimit,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: 'x-request-id',
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerRequestDatabase(app, ctx.database);
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
  app.setSerializerCompiler(compileSerializer);

  app.setErrorHandler((err, request, reply) => sendProblem(err, request, reply));
  const webUi = routes.webUi;
  app.setNotFoundHandler((request, reply) =>
    webUi && wantsWebUi(request)
      ? reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(webUi.index)
      : sendProblem(
          new TallyError('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
          request,
          reply,
        ),
  );

  await app.register(rateLimit, {
    global: false,
    store: clockStore(ctx.clock),
    errorResponseBuilder: (_req, context) =>
      tooManyRequests(`too many attempts; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
  // Anonymous callers of public routes are the ones no account answers for: each address gets
  // TALLY_PUBLIC_RATE_LIMIT requests a minute across all of them (one limiter, one count); a route
  // with a limit of its own (logging in) keeps that one. Route hooks run after authentication.
  const limitAnonymous = app.rateLimit({
    max: ctx.config.publicRateLimit,
    timeWindow: '1 minute',
    allowList: (request) => request.principal !== undefined,
  });
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.config?.access !== 'public' || route.config.rateLimit !== undefined)
      return;
    route.onRequest = [...[route.onRequest ?? []].flat(), limitAnonymous];
  });
  await registerDocs(app, ctx.config.publicUrl);
  if (webUi) await registerWebUi(app, webUi);
  registerAccessRules(app);
  // One walk of the body: too deep (400 body_too_deep) or carrying NUL (400 invalid_text).
  app.addHook('preValidation', async (request) => refuseNul(request));
  await routes.authenticate(app, ctx);
  registerIdempotency(app, ctx.database);
  registerReadRouting(app, ctx.database, ctx.config.readWaitMs, ctx.log);

  registerHealth(app as App, ctx, routes.pulse);
  if (routes.metrics) registerMetrics(app as App, ctx, routes.metrics);
  for (const register of routes.modules) await app.register(async (scope) => register(scope as App, ctx));
  return app as App;
}

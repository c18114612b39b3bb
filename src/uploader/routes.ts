// The uploader's HTTP: Ocean's wire format, so its published client (`@oceanprotocol/uploader`)
// works unchanged. Public routes under /uploader on the main port, hidden from the OpenAPI document
// (not Tally's conventions: `{error}` bodies, parameters in the query or the body), and the private
// registration listener, its own Fastify instance on TALLY_UPLOADER_PRIVATE_PORT.
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import type { App, AppContext } from '../platform/context.ts';
import { TallyError } from '../platform/errors.ts';
import { registerRequestDatabase } from '../platform/http/request-database.ts';
import { isPayersFault } from '../platform/upload-status.ts';
import { invalid, UploaderError } from './errors.ts';
import { listStorages, registerProvider } from './providers.ts';
import {
  counted,
  createQuote,
  DONE,
  forwardUpload,
  quoteHistory,
  quoteLinks,
  quoteStatus,
  startUpload,
} from './quotes.ts';

export const PREFIX = '/uploader';

const Address = Type.String({ pattern: '^0x[0-9A-Fa-f]{40}$' });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Payment = Type.Array(
  Type.Object({
    chainId: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[1-9][0-9]{0,18}$' })]),
    acceptedTokens: Type.Array(Type.Record(Type.String(), Type.String())),
  }),
  { maxItems: 100 },
);
const RegisterBody = Type.Object({
  type: Text(64),
  description: Type.String({ maxLength: 1000 }),
  url: Type.String({ pattern: '^https?://', maxLength: 2000 }),
  payment: Payment,
  signature: Type.String(),
});
const QuoteBody = Type.Object({
  type: Text(64),
  files: Type.Array(Type.Object({ length: Type.Integer({ minimum: 0 }) }), { minItems: 1 }),
  duration: Type.Integer({ minimum: 0 }),
  payment: Type.Object({ chainId: Type.Integer({ minimum: 1 }), tokenAddress: Type.String({ maxLength: 100 }) }),
  userAddress: Address,
});
const QuoteId = Text(255);
const Signed = Type.Object({ quoteId: QuoteId, nonce: Type.String({ maxLength: 78 }), signature: Type.String() });
const StatusQuery = Type.Object({ quoteId: QuoteId });
const Whole = Type.String({ pattern: '^[0-9]{0,7}$' });
const HistoryQuery = Type.Object({
  userAddress: Address,
  nonce: Type.String({ maxLength: 78 }),
  signature: Type.String(),
  page: Type.Optional(Whole),
  pageSize: Type.Optional(Whole),
  storage: Type.Optional(Type.String({ maxLength: 64 })),
});

/** The request's parameters (its query, and for a POST its JSON body too) checked against `schema`. */
function parameters<T extends TSchema>(schema: T, request: FastifyRequest): Static<T> {
  const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
  const value = { ...body, ...(request.query as object) };
  const error = Value.Errors(schema, value)[0];
  if (error !== undefined) throw invalid(`${error.instancePath.slice(1) || 'request'}: ${error.message}`);
  return value as Static<T>;
}

const wholeNumber = (text: string | undefined, fallback: number, min: number, max: number, name: string): number => {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

/** Any error as Ocean answers: a status and `{error}`; a bug is a 500 that names nothing. */
function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  let status = 500;
  let message = 'internal error';
  if (err instanceof UploaderError || err instanceof TallyError) {
    status = err.status;
    message = err.message;
  } else {
    const e = err as FastifyError;
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      status = e.statusCode;
      message = e.message;
    }
  }
  if (status >= 500 && !(err instanceof UploaderError)) request.log.error({ err }, 'uploader request failed');
  else request.log.info({ status }, message);
  return reply.code(status).send({ error: message });
}

/** The public routes, under /uploader on the main port. */
export async function uploaderRoutes(app: App, ctx: AppContext): Promise<void> {
  const config = ctx.config.uploader;
  await app.register(
    async (scope) => {
      scope.setErrorHandler((err, request, reply) => sendError(err, request, reply));
      scope.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found' }));
      // The upload's body is not read here: the handler streams it through to the provider.
      scope.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null, undefined));
      const options = {
        schema: { hide: true },
        config: { access: 'public' as const, rateLimit: { max: ctx.config.publicRateLimit, timeWindow: '1 minute' } },
      };

      scope.get('/', options, async (request) => listStorages(request.db, ctx.clock.now()));

      scope.post('/getQuote', options, async (request, reply) => {
        const body = request.body;
        const error = Value.Errors(QuoteBody, body)[0];
        if (error !== undefined) throw invalid(`${error.instancePath.slice(1) || 'body'}: ${error.message}`);
        const quote = await createQuote(request.db, config, body as Static<typeof QuoteBody>, ctx.clock.now());
        return reply.code(201).send(quote);
      });

      scope.post('/upload', options, async (request, reply) => {
        const s = parameters(Signed, request);
        const contentType = request.headers['content-type'] ?? '';
        if (!contentType.toLowerCase().startsWith('multipart/form-data'))
          throw new UploaderError(415, 'the files come as multipart/form-data');
        const declared = request.headers['content-length'];
        if (declared === undefined || !/^[0-9]+$/.test(declared))
          throw new UploaderError(411, 'an upload declares its Content-Length');
        const target = await startUpload(request.db, s, Number(declared), ctx.clock.now());
        const status = await forwardUpload(
          request.db,
          s.quoteId,
          target,
          counted(request.raw, target.limit),
          contentType,
        );
        // A payment the user did not make is the user's to fix (402); any other failure is the provider's.
        return reply.code(status === DONE ? 200 : isPayersFault(status) ? 402 : 502).send({ status });
      });

      const status = async (request: FastifyRequest) => ({
        status: await quoteStatus(request.db, parameters(StatusQuery, request).quoteId),
      });
      scope.get('/getStatus', options, status);
      scope.post('/getStatus', options, status);

      const link = async (request: FastifyRequest) => quoteLinks(request.db, parameters(Signed, request));
      scope.get('/getLink', options, link);
      scope.post('/getLink', options, link);

      scope.get('/getHistory', options, async (request) => {
        const q = parameters(HistoryQuery, request);
        return quoteHistory(request.db, {
          userAddress: q.userAddress,
          nonce: q.nonce,
          signature: q.signature,
          page: wholeNumber(q.page, 1, 1, 1_000_000, 'page'),
          pageSize: wholeNumber(q.pageSize, 25, 1, 1000, 'pageSize'),
          storage: q.storage,
        });
      });
    },
    { prefix: PREFIX },
  );
}

/** The private listener where storage providers register; listening once this resolves. */
export async function startRegistrationListener(
  ctx: AppContext,
  port: number,
): Promise<{ close(): Promise<void>; url: string }> {
  const app = Fastify({ loggerInstance: ctx.log as FastifyBaseLogger });
  registerRequestDatabase(app, ctx.database);
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found' }));
  app.post('/register', async (request, reply) => {
    const error = Value.Errors(RegisterBody, request.body)[0];
    if (error !== undefined) throw invalid(`${error.instancePath.slice(1) || 'body'}: ${error.message}`);
    const { status, provider } = await registerProvider(
      request.db,
      ctx.config.uploader,
      request.body as Static<typeof RegisterBody>,
      ctx.clock.now(),
    );
    return reply.code(status).send(provider);
  });
  const host = ctx.config.uploader.privateHost;
  await app.listen({ port, host });
  const address = app.server.address();
  const bound = address !== null && typeof address === 'object' ? address.port : port;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`, close: () => app.close() };
}

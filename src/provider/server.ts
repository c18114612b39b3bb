// The reference storage provider's HTTP API: what Tally's uploader forwards to. It quotes a price
// for files of given sizes, takes one streamed multipart upload per quote (paid for with an ERC-20
// transferFrom in paid mode), stores the files as IPFS UnixFS content and serves them back by CID.
// Answers follow the Ocean uploader's storage services: `{error}` bodies, numeric upload statuses.
import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyReply } from 'fastify';
import { type Logger, pino } from 'pino';
import { type Static, Type } from 'typebox';
import { privateKeyToAccount } from 'viem/accounts';
import { type Address, checksumAddress, type TokenWallet, tokenWallet } from '../chain/index.ts';
import type { ProviderConfig } from './config.ts';
import { keepRegistered, registration } from './registration.ts';
import { openContentStore, type Staging } from './storage.ts';
import { isPaymentFailure } from '../platform/upload-status.ts';
import { openQuoteStore, type Quote, STATUS, type StoredFile } from './store.ts';

export interface RunningProvider {
  /** The base URL it answers on (the configured one, or the address it is bound to). */
  url: string;
  /** Its wallet: the quotes' approveAddress and the registrations' signer. */
  address: Address;
  close(): Promise<void>;
}

const QuoteRequest = Type.Object({
  type: Type.String({ minLength: 1 }),
  files: Type.Array(Type.Object({ length: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }) }), {
    minItems: 1,
    maxItems: 1000,
  }),
  duration: Type.Optional(Type.Number({ minimum: 0 })),
  payment: Type.Object({
    chainId: Type.Integer({ minimum: 0 }),
    tokenAddress: Type.String(),
  }),
  userAddress: Type.String(),
});
const ByQuote = Type.Object({ quoteId: Type.String({ maxLength: 100 }) });
const HistoryQuery = Type.Object({
  userAddress: Type.String(),
  page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$' })),
  pageSize: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
});

/** An upload refused with `status` (one of the failure ranges), answered with `http`. */
class UploadRefused extends Error {
  readonly status: number;
  readonly http: number;
  constructor(status: number, http: number, message: string) {
    super(message);
    this.status = status;
    this.http = http;
  }
}

const links = (quote: Quote) => quote.files.map((f) => ({ type: quote.type, CID: f.cid }));

/** Starts the provider: its stores under config.dataDir, its HTTP API, and its registrations. */
export async function startProvider(config: ProviderConfig, opts: { log?: Logger } = {}): Promise<RunningProvider> {
  const log = opts.log ?? pino({ level: config.logLevel });
  const wallet = privateKeyToAccount(config.privateKey).address;
  const store = await openQuoteStore(config.dataDir);
  const content = await openContentStore(config.dataDir);
  const paid = config.tokens.length > 0;
  let payments: TokenWallet | undefined;
  if (paid) {
    if (config.chain?.rpcUrl === undefined) throw new Error('provider: paid mode needs a chain RPC URL and id');
    payments = tokenWallet({
      rpcUrl: config.chain.rpcUrl,
      chainId: config.chain.chainId,
      privateKey: config.privateKey,
      whose: 'provider',
    });
  }

  // An upload a stop cut short was never finished; its staged blocks are gone (storage.ts). A
  // payment it had sent is named in the record, for the operator to settle by hand.
  await failInterrupted(store);

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Bodies are checked as sent: a length "12" is not the number 12.
    ajv: { customOptions: { coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(multipart);
  app.setErrorHandler((err: { statusCode?: number; message: string }, request, reply) => {
    const status = err.statusCode !== undefined && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err }, 'provider request failed');
    return reply.code(status).send({ error: status === 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );

  const bad = (reply: FastifyReply, error: string) => reply.code(400).send({ error });

  // What it registers, without the signature: its type, description, URL and payment methods.
  let url = config.url ?? '';
  app.get('/', async () => {
    const { signature: _, ...info } = await registration(config, url);
    return info;
  });

  app.post('/getQuote', { schema: { body: QuoteRequest } }, async (request, reply) => {
    const body = request.body;
    if (body.type !== config.type) return bad(reply, `this provider stores type ${config.type}, not ${body.type}`);
    const userAddress = checksumAddress(body.userAddress);
    if (userAddress === undefined) return bad(reply, 'userAddress is not an address');
    const bytes = body.files.reduce((sum, f) => sum + BigInt(f.length), 0n);
    let tokenAddress = body.payment.tokenAddress;
    if (paid) {
      if (body.payment.chainId !== config.chain?.chainId)
        return bad(reply, `payment is taken on chain ${config.chain?.chainId}, not ${body.payment.chainId}`);
      const token = config.tokens.find((t) => t.address.toLowerCase() === tokenAddress.toLowerCase());
      if (token === undefined)
        return bad(reply, `token ${tokenAddress} is not accepted (${config.tokens.map((t) => t.symbol).join(', ')})`);
      tokenAddress = checksumAddress(token.address) ?? token.address;
    }
    const quote = await store.create(
      {
        type: config.type,
        userAddress,
        chainId: body.payment.chainId,
        tokenAddress,
        tokenAmount: paid ? bytes * config.price : 0n,
        approveAddress: wallet,
        duration: body.duration ?? 0,
        files: body.files.map((f) => ({ length: f.length })),
      },
      new Date(),
    );
    return reply.code(201).send({
      quoteId: quote.quoteId,
      tokenAmount: quote.tokenAmount.toString(),
      approveAddress: quote.approveAddress,
      chainId: quote.chainId,
      tokenAddress: quote.tokenAddress,
    });
  });

  app.post('/upload', { schema: { querystring: ByQuote } }, async (request, reply) => {
    const quote = store.get(request.query.quoteId);
    if (quote === undefined) return reply.code(404).send({ error: 'no such quote', status: STATUS.unknown });
    if (quote.status !== STATUS.quoted)
      return reply.code(409).send({ error: 'this quote has had its upload', status: quote.status });
    if (!request.isMultipart())
      return reply.code(415).send({ error: 'an upload is multipart/form-data', status: quote.status });
    const { quoteId } = quote;
    const takesPayment = payments !== undefined && quote.tokenAmount > 0n;
    // Claimed before the first await: store.update keeps the new status in memory at once, so a
    // second upload on this quote finds it taken.
    const claimed = store.update(quoteId, { status: takesPayment ? STATUS.checkingPayment : STATUS.receiving });
    let staging: Staging | undefined;
    try {
      await claimed;
      staging = await content.stage(quoteId);
      const token = quote.tokenAddress as Address;
      if (payments !== undefined && takesPayment) {
        // Refused before a byte is read, when it can be: the user has not approved enough.
        const refused = await onChain(() => payments.cannotPull(token, quote.userAddress, quote.tokenAmount));
        if (refused !== undefined) throw paymentRefused(refused.reason, refused.detail);
        await store.update(quoteId, { status: STATUS.receiving });
      }
      const files = await receive(
        quote,
        request.parts({
          // Room for one byte past the largest file, so an overlong one is seen (receive), not cut.
          limits: {
            files: quote.files.length + 1,
            fields: 0,
            fileSize: Math.max(...quote.files.map((f) => f.length)) + 1,
          },
        }),
        staging,
      );
      // Paid only for files that arrived whole and as quoted: nothing is taken for a refused upload.
      if (payments !== undefined && takesPayment) {
        await store.update(quoteId, { status: STATUS.paying });
        const outcome = await onChain(() =>
          payments.pull(token, quote.userAddress, quote.tokenAmount, (hash) =>
            store.update(quoteId, { paymentTx: hash }).then(() => {}),
          ),
        );
        if (!outcome.paid) throw paymentRefused(outcome.reason, outcome.detail);
      }
      await store.update(quoteId, { status: STATUS.storing });
      await staging.commit();
      await store.update(quoteId, { status: STATUS.done, files });
      return reply.code(200).send({ status: STATUS.done });
    } catch (error) {
      await staging?.discard().catch((err: unknown) => request.log.error({ err }, 'could not discard a staged upload'));
      const refused =
        error instanceof UploadRefused
          ? error
          : new UploadRefused(STATUS.storageFailed, 500, 'the upload could not be stored');
      if (!(error instanceof UploadRefused)) request.log.error({ err: error, quoteId }, 'upload failed');
      await store.update(quoteId, { status: refused.status, failure: refused.message });
      return reply.code(refused.http).send({ status: refused.status, error: refused.message });
    }
  });

  const status = async (quoteId: string) => ({ status: store.get(quoteId)?.status ?? STATUS.unknown });
  app.get('/getStatus', { schema: { querystring: ByQuote } }, (request) => status(request.query.quoteId));
  app.post('/getStatus', { schema: { querystring: ByQuote } }, (request) => status(request.query.quoteId));

  const link = async (quoteId: string, reply: FastifyReply) => {
    const quote = store.get(quoteId);
    if (quote === undefined) return reply.code(404).send({ error: 'no such quote', status: STATUS.unknown });
    if (quote.status !== STATUS.done)
      return reply.code(404).send({ error: 'the upload is not done', status: quote.status });
    return links(quote);
  };
  app.get('/getLink', { schema: { querystring: ByQuote } }, (request, reply) => link(request.query.quoteId, reply));
  app.post('/getLink', { schema: { querystring: ByQuote } }, (request, reply) => link(request.query.quoteId, reply));

  app.get('/getHistory', { schema: { querystring: HistoryQuery } }, async (request, reply) => {
    const q: Static<typeof HistoryQuery> = request.query;
    const user = checksumAddress(q.userAddress);
    if (user === undefined) return bad(reply, 'userAddress is not an address');
    const page = Number(q.page ?? 1);
    const pageSize = Math.min(Number(q.pageSize ?? 25), 100);
    return store
      .byUser(user)
      .filter((quote) => quote.status !== STATUS.quoted)
      .slice((page - 1) * pageSize, page * pageSize)
      .map((quote) => ({
        quoteId: quote.quoteId,
        status: quote.status,
        chainId: quote.chainId,
        tokenAddress: quote.tokenAddress,
        tokenAmount: quote.tokenAmount.toString(),
        approveAddress: quote.approveAddress,
        files: quote.files.map((f) => ({ length: f.length })),
        createdAt: quote.createdAt,
        ...(quote.status === STATUS.done ? { links: links(quote) } : {}),
      }));
  });

  app.get(
    '/ipfs/:cid',
    { schema: { params: Type.Object({ cid: Type.String({ maxLength: 200 }) }) } },
    (request, reply) => {
      const found = store.contentOf(request.params.cid);
      if (found === undefined) return reply.code(404).send({ error: 'no such content' });
      return reply
        .type(found.contentType)
        .header('content-length', found.length)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(Readable.from(content.cat(request.params.cid, found.length)));
    },
  );

  await app.listen({ port: config.port, host: config.host });
  const bound = app.server.address();
  // Bound to every address, it is reached on this host as localhost.
  const host = (address: string, family: string) =>
    address === '0.0.0.0' || address === '::' ? 'localhost' : family === 'IPv6' ? `[${address}]` : address;
  const here =
    typeof bound === 'object' && bound !== null
      ? `http://${host(bound.address, bound.family)}:${bound.port}`
      : `http://${config.host}:${config.port}`;
  url = config.url ?? here;
  const stopRegistering = await keepRegistered(config, url, log);
  log.info({ url, type: config.type, mode: paid ? 'paid' : 'free', wallet }, 'the storage provider is serving');

  return {
    url,
    address: wallet,
    async close() {
      stopRegistering();
      await app.close();
      await content.close();
    },
  };
}

/** Reads the parts in order into `staging`: file1…fileN, each exactly its quoted length. */
async function receive(
  quote: Quote,
  parts: AsyncIterable<{
    type: string;
    fieldname: string;
    mimetype?: string;
    file?: Readable & { truncated?: boolean };
  }>,
  staging: Pick<Staging, 'add'>,
): Promise<StoredFile[]> {
  const files: StoredFile[] = [];
  try {
    for await (const part of parts) {
      const i = files.length;
      const expected = quote.files[i]?.length;
      if (
        part.type !== 'file' ||
        part.file === undefined ||
        part.fieldname !== `file${i + 1}` ||
        expected === undefined
      )
        throw new UploadRefused(
          STATUS.badParts,
          400,
          `expected ${quote.files.length} file parts file1…file${quote.files.length} in order; got ${part.type} ${part.fieldname}`,
        );
      const stream = part.file;
      let count = 0;
      const counted = async function* () {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          count += chunk.length;
          if (count > expected) throw sizeMismatch(i, expected, `more than ${expected}`);
          yield chunk;
        }
      };
      const cid = await staging.add(counted());
      if (count !== expected || stream.truncated) throw sizeMismatch(i, expected, String(count));
      files.push({ length: expected, cid, contentType: part.mimetype || 'application/octet-stream' });
    }
  } catch (error) {
    if (error instanceof UploadRefused) throw error;
    // Busboy's refusals (a malformed body, too many parts) are the request's fault.
    throw new UploadRefused(STATUS.badParts, 400, `the multipart body was refused: ${(error as Error).message}`);
  }
  if (files.length !== quote.files.length)
    throw new UploadRefused(STATUS.badParts, 400, `expected ${quote.files.length} files, got ${files.length}`);
  return files;
}

const sizeMismatch = (i: number, expected: number, got: string) =>
  new UploadRefused(STATUS.sizeMismatch, 400, `file${i + 1} was quoted at ${expected} bytes; ${got} arrived`);

function paymentRefused(reason: 'allowance' | 'balance' | 'reverted', detail: string): UploadRefused {
  const status =
    reason === 'allowance'
      ? STATUS.allowanceTooLow
      : reason === 'balance'
        ? STATUS.balanceTooLow
        : STATUS.paymentFailed;
  return new UploadRefused(status, 402, `payment refused: ${detail}`);
}

/** Runs a question to the chain; a failure to reach it is the 2xx status 203, answered 502. */
async function onChain<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new UploadRefused(
      STATUS.chainUnavailable,
      502,
      `payment could not be made: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`,
    );
  }
}

/** Quotes a stop left between claimed and done are failed uploads. */
async function failInterrupted(store: Awaited<ReturnType<typeof openQuoteStore>>): Promise<void> {
  for (const quote of store.all()) {
    if (quote.status > STATUS.quoted && quote.status < STATUS.done && !isPaymentFailure(quote.status)) {
      await store.update(quote.quoteId, {
        status: STATUS.interrupted,
        failure: `interrupted at status ${quote.status} by a stop${quote.paymentTx ? `; payment ${quote.paymentTx} was sent` : ''}`,
      });
    }
  }
}

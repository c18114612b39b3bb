// Quotes and what users do with them: a quote comes from the active provider of a storage type and
// lives 30 minutes; one signed upload uses it (status 300, then the provider's final status); its
// status, links and the user's history are read back. Every check that refuses a request runs in the
// transaction that would store its nonce, so a refused request changes nothing.
import { checksumAddress } from '../chain/index.ts';
import { appendEvent } from '../ledger/index.ts';
import { isFinal, STATUS } from '../platform/upload-status.ts';
import type { UploaderConfig } from '../platform/config.ts';
import type { Db } from '../platform/database.ts';
import { withTraceOf } from '../platform/query-spans.ts';
import { invalid, missing, UploaderError } from './errors.ts';
import { askLinks, askQuote, askStatus, type Link, sendFiles } from './provider-client.ts';
import { activeProvider } from './providers.ts';
import { acceptSigned, type Signed } from './signed.ts';
import { type QuoteRow, type QuotedFile, uploader } from './tables.ts';

export const QUOTE_TTL_MS = 30 * 60_000;
export const WAITING = STATUS.quoted;
export const UPLOADING = STATUS.receiving;
export const DONE = STATUS.done;
/** Status of an upload the provider did not finish (it failed, or never answered). */
export const UPLOAD_FAILED = 401;
/**
 * What a multipart body may carry besides the files' bytes: a boundary line and the part's headers
 * per file (its name, a file name up to some hundreds of characters, a content type), and the
 * closing boundary.
 */
export const PART_OVERHEAD = 1024;

export interface QuoteRequest {
  type: string;
  files: QuotedFile[];
  duration: number;
  payment: { chainId: number; tokenAddress: string };
  userAddress: string;
}

export interface QuoteView {
  quoteId: string;
  tokenAmount: string;
  approveAddress: string;
  chainId: number;
  tokenAddress: string;
}

const quotePayload = (q: QuoteRow) => ({
  ...q,
  created_at: q.created_at.toISOString(),
  expires_at: q.expires_at.toISOString(),
  used_at: q.used_at?.toISOString() ?? null,
});

/** Asks the active provider of the type for a quote and keeps it (status 1, 30 minutes). */
export async function createQuote(db: Db, config: UploaderConfig, r: QuoteRequest, now: Date): Promise<QuoteView> {
  const user = checksumAddress(r.userAddress);
  if (user === undefined) throw invalid('userAddress is not an address');
  if (r.files.length > config.maxFiles) throw invalid(`a quote names at most ${config.maxFiles} files`);
  const total = r.files.reduce((sum, f) => sum + f.length, 0);
  if (total > config.maxBytes) throw invalid(`an upload carries at most ${config.maxBytes} bytes`);
  const provider = await activeProvider(db, r.type, now);
  if (provider === undefined) throw missing(`no active storage of type ${r.type}`);
  const quote = await askQuote(provider.url, { ...r, userAddress: user });
  return db.transaction().execute(async (trx) => {
    const taken = await uploader(trx)
      .selectFrom('uploader_quotes')
      .select('quote_id')
      .where('quote_id', '=', quote.quoteId)
      .executeTakeFirst();
    if (taken) throw new UploaderError(502, 'the storage provider answered a quote id already used');
    const row = await uploader(trx)
      .insertInto('uploader_quotes')
      .values({
        quote_id: quote.quoteId,
        provider_id: provider.id,
        type: provider.type,
        user_address: user,
        files: JSON.stringify(r.files.map((f) => ({ length: f.length }))),
        total_bytes: total,
        token_amount: BigInt(quote.tokenAmount),
        approve_address: quote.approveAddress,
        chain_id: quote.chainId,
        token_address: quote.tokenAddress,
        created_at: now,
        expires_at: new Date(now.getTime() + QUOTE_TTL_MS),
        status: WAITING,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'uploader.quote.created',
      subject_type: 'uploader_quote',
      subject_id: row.quote_id,
      actor_id: null,
      payload: quotePayload(row),
    });
    return quote;
  });
}

const quoteFor = (trx: Db, quoteId: string) =>
  uploader(trx)
    .selectFrom('uploader_quotes')
    .selectAll()
    .where('quote_id', '=', quoteId)
    .forUpdate()
    .executeTakeFirst();

const providerUrl = async (db: Db, id: number): Promise<string> =>
  (await uploader(db).selectFrom('uploader_providers').select('url').where('id', '=', id).executeTakeFirstOrThrow())
    .url;

/**
 * Accepts a signed upload of a body of `bodyBytes` bytes on a quote: the quote's user signed it,
 * with a fresh nonce; the quote is waiting and unexpired; the body is no larger than the quoted
 * files and their multipart framing. Marks the quote used (status 300) and answers where to send it.
 */
export async function startUpload(
  db: Db,
  s: Signed,
  bodyBytes: number,
  now: Date,
): Promise<{ url: string; limit: number }> {
  return db.transaction().execute(async (trx) => {
    const q = await quoteFor(trx, s.quoteId);
    if (q === undefined) throw missing('no such quote');
    await acceptSigned(trx, q.user_address, s);
    if (q.used_at !== null || q.status !== WAITING) throw new UploaderError(409, 'the quote was already used');
    if (q.expires_at <= now) throw new UploaderError(410, 'the quote has expired');
    const limit = q.total_bytes + PART_OVERHEAD * (q.files.length + 1);
    if (bodyBytes > limit)
      throw new UploaderError(413, `the body is larger than the quoted ${q.total_bytes} bytes of files`);
    const row = await uploader(trx)
      .updateTable('uploader_quotes')
      .set({ status: UPLOADING, used_at: now })
      .where('quote_id', '=', q.quote_id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'uploader.upload.started',
      subject_type: 'uploader_quote',
      subject_id: q.quote_id,
      actor_id: null,
      payload: quotePayload(row),
    });
    return { url: await providerUrl(trx, q.provider_id), limit };
  });
}

/** Streams the body to the provider and records the status it ends with. */
export async function forwardUpload(
  db: Db,
  quoteId: string,
  target: { url: string },
  body: AsyncIterable<Uint8Array>,
  contentType: string,
): Promise<number> {
  let status: number;
  try {
    // A traced request's upload is a span of its trace, and the provider is handed the trace.
    status = await withTraceOf(db, () => sendFiles(target.url, quoteId, body, contentType));
  } catch {
    status = UPLOAD_FAILED;
  }
  if (!isFinal(status)) status = UPLOAD_FAILED; // an upload ends done or failed, nothing in between
  await db.transaction().execute(async (trx) => {
    const row = await uploader(trx)
      .updateTable('uploader_quotes')
      .set({ status })
      .where('quote_id', '=', quoteId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'uploader.upload.finished',
      subject_type: 'uploader_quote',
      subject_id: quoteId,
      actor_id: null,
      payload: quotePayload(row),
    });
  });
  return status;
}

/** Passes `body` through, refusing to pass more than `limit` bytes. */
export async function* counted(body: AsyncIterable<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (seen > limit) throw new UploaderError(413, 'the body is larger than quoted');
    yield chunk;
  }
}

/** A quote's status (0: no such quote); one not yet final is refreshed from its provider. */
export async function quoteStatus(db: Db, quoteId: string): Promise<number> {
  const q = await uploader(db)
    .selectFrom('uploader_quotes')
    .selectAll()
    .where('quote_id', '=', quoteId)
    .executeTakeFirst();
  if (q === undefined) return 0;
  if (isFinal(q.status)) return q.status;
  let fresh: number | undefined;
  try {
    fresh = await askStatus(await providerUrl(db, q.provider_id), quoteId);
  } catch {
    return q.status; // the provider is away: what Tally knows
  }
  // The provider reports on uploads Tally sent it; a quote not yet uploaded stays waiting here, and
  // one Tally is uploading stays so while the provider, not yet reached by it, still calls it waiting.
  if (fresh === undefined || fresh === q.status || q.status < 100 || fresh < 100) return q.status;
  await db.transaction().execute(async (trx) => {
    const row = await uploader(trx)
      .updateTable('uploader_quotes')
      .set({ status: fresh })
      .where('quote_id', '=', quoteId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'uploader.upload.status',
      subject_type: 'uploader_quote',
      subject_id: quoteId,
      actor_id: null,
      payload: quotePayload(row),
    });
  });
  return fresh;
}

/** The links of a quote's files, for its user's signed request. */
export async function quoteLinks(db: Db, s: Signed): Promise<Link[]> {
  const url = await db.transaction().execute(async (trx) => {
    const q = await quoteFor(trx, s.quoteId);
    if (q === undefined) throw missing('no such quote');
    await acceptSigned(trx, q.user_address, s);
    return providerUrl(trx, q.provider_id);
  });
  return askLinks(url, s.quoteId);
}

export interface HistoryRequest {
  userAddress: string;
  nonce: string;
  signature: string;
  page: number;
  pageSize: number;
  storage: string | undefined;
}

export interface HistoryItem {
  quoteId: string;
  type: string;
  status: number;
  files: QuotedFile[];
  totalBytes: number;
  tokenAmount: string;
  approveAddress: string;
  chainId: number;
  tokenAddress: string;
  createdAt: string;
  expiresAt: string;
}

/** The user's quotes that went further than a quote, newest first, one page of them. */
export async function quoteHistory(db: Db, r: HistoryRequest): Promise<HistoryItem[]> {
  const user = checksumAddress(r.userAddress);
  if (user === undefined) throw invalid('userAddress is not an address');
  return db.transaction().execute(async (trx) => {
    await acceptSigned(trx, user, { quoteId: '', nonce: r.nonce, signature: r.signature });
    let query = uploader(trx)
      .selectFrom('uploader_quotes')
      .selectAll()
      .where('user_address', '=', user)
      .where('status', '!=', WAITING);
    // Ocean's published client sends `storage=undefined` (the word) when its caller names no storage.
    if (r.storage !== undefined && r.storage !== '' && r.storage !== 'undefined')
      query = query.where('type', '=', r.storage);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('quote_id', 'desc')
      .offset((r.page - 1) * r.pageSize)
      .limit(r.pageSize)
      .execute();
    return rows.map((q) => ({
      quoteId: q.quote_id,
      type: q.type,
      status: q.status,
      files: q.files,
      totalBytes: q.total_bytes,
      tokenAmount: q.token_amount,
      approveAddress: q.approve_address,
      chainId: q.chain_id,
      tokenAddress: q.token_address,
      createdAt: q.created_at.toISOString(),
      expiresAt: q.expires_at.toISOString(),
    }));
  });
}

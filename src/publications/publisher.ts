// Tally as a client of its own uploader, with its publisher wallet: the same quote, signed upload
// and links any user of `/uploader` goes through (the uploader's rules hold for Tally too: its
// signature, a nonce larger than its last, the quote's size), and the provider paid as any user
// pays it, by approving the quoted amount first. One document per upload.
import { randomBytes } from 'node:crypto';
import { type Address, checksumAddress, messageSigner, tokenWallet } from '../chain/index.ts';
import type { PublisherConfig, UploaderConfig } from '../platform/config.ts';
import type { Db } from '../platform/database.ts';
import { conflict, TallyError } from '../platform/errors.ts';
import { serially } from '../platform/serially.ts';
import {
  createQuote,
  DONE,
  forwardUpload,
  listStorages,
  nextNonce,
  quoteLinks,
  signedText,
  startUpload,
  UPLOAD_FAILED,
  UploaderError,
} from '../uploader/index.ts';

/** A document to publish: its bytes, the file name it is stored under and its media type. */
export interface PublishedDocument {
  bytes: Buffer;
  fileName: string;
  contentType: string;
}

/** What an upload came to: a CID when the storage holds the document, else why not. */
export type Upload = { quoteId: string; status: number } & (
  | { cid: string; failure: null }
  | { cid: null; failure: string }
);

/** How long Tally asks a storage to keep what it publishes, in seconds: ten years. */
const KEEP_SECONDS = 10 * 365 * 24 * 3600;
/** Status of a publication whose payment was not made (the uploader's 2xx range: payment failed). */
const PAYMENT_FAILED = 200;
const NO_TOKEN = '0x0000000000000000000000000000000000000000';

export interface Publisher {
  address: Address;
  /** Uploads `document` to the active storage of `storageType`; refusals before a quote throw. */
  upload(db: Db, document: PublishedDocument, storageType: string, now: Date): Promise<Upload>;
}

export function openPublisher(
  config: PublisherConfig | undefined,
  uploaderConfig: UploaderConfig,
): Publisher | undefined {
  if (config === undefined) return undefined;
  const signer = messageSigner(config.privateKey);
  const wallet =
    config.chain === undefined
      ? undefined
      : tokenWallet({ ...config.chain, privateKey: config.privateKey, whose: 'publisher' });
  // Nonces are taken one upload at a time: two at once would sign the same one.
  const oneAtATime = serially();

  /** A signed request on `quoteId` with the next nonce. */
  const signed = async (db: Db, quoteId: string) => {
    const nonce = await nextNonce(db, signer.address);
    return { quoteId, nonce, signature: await signer.sign(signedText(quoteId, nonce)) };
  };

  /** How Tally pays the storage: a token it accepts on the publisher's chain, or nothing if it is free. */
  const paymentFor = async (db: Db, storageType: string, now: Date) => {
    const storage = (await listStorages(db, now)).find((s) => s.type === storageType);
    if (storage === undefined)
      throw new TallyError('storage_not_found', `no active storage of type ${storageType}`, [
        { field: 'body/storage_type', message: 'no active storage of this type' },
      ]);
    const tokens = storage.payment.flatMap((m) =>
      m.acceptedTokens.flatMap((t) => Object.values(t).map((address) => ({ chainId: Number(m.chainId), address }))),
    );
    if (tokens.length === 0) return { chainId: config.chain?.chainId ?? 1, tokenAddress: NO_TOKEN };
    const payable = tokens.find((t) => t.chainId === config.chain?.chainId);
    if (payable === undefined)
      throw conflict(
        'storage_not_payable',
        `${storageType} takes payment on chain ${tokens.map((t) => t.chainId).join(', ')}; the publisher pays on ${config.chain?.chainId ?? 'no chain'}`,
      );
    return { chainId: payable.chainId, tokenAddress: payable.address };
  };

  /** Approves the quoted amount to the provider; why not, if it could not. */
  const pay = async (quote: { tokenAmount: string; tokenAddress: string; approveAddress: string }) => {
    const amount = BigInt(quote.tokenAmount);
    if (amount === 0n) return undefined;
    const token = checksumAddress(quote.tokenAddress);
    const spender = checksumAddress(quote.approveAddress);
    if (wallet === undefined || token === undefined || spender === undefined)
      return 'the quote names no token and spender the publisher can approve';
    try {
      const mined = await wallet.approve(token, spender, amount);
      return mined.status === 'success' ? undefined : `the approval ${mined.hash} reverted`;
    } catch (error) {
      return `the approval failed: ${(error as Error).message}`;
    }
  };

  return {
    address: signer.address,
    upload: (db, document, storageType, now) =>
      oneAtATime(async () => {
        if (document.bytes.length > uploaderConfig.maxBytes)
          throw new TallyError(
            'document_too_large',
            `the document is ${document.bytes.length} bytes; one upload carries at most ${uploaderConfig.maxBytes}`,
          );
        const payment = await paymentFor(db, storageType, now);
        const quote = await createQuote(
          db,
          uploaderConfig,
          {
            type: storageType,
            files: [{ length: document.bytes.length }],
            duration: KEEP_SECONDS,
            payment,
            userAddress: signer.address,
          },
          now,
        ).catch((error: unknown) => {
          throw error instanceof UploaderError ? asProblem(error, storageType) : error;
        });
        const quoteId = quote.quoteId;
        const unpaid = await pay(quote);
        if (unpaid !== undefined) return { quoteId, status: PAYMENT_FAILED, cid: null, failure: unpaid };

        const { body, contentType, length } = multipart(document);
        let status: number;
        try {
          const target = await startUpload(db, await signed(db, quoteId), length, now);
          status = await forwardUpload(db, quoteId, target, body(), contentType);
        } catch (error) {
          if (!(error instanceof UploaderError)) throw error;
          return { quoteId, status: UPLOAD_FAILED, cid: null, failure: `the uploader refused: ${error.message}` };
        }
        if (status !== DONE) return { quoteId, status, cid: null, failure: `the upload ended with status ${status}` };
        try {
          const [link] = await quoteLinks(db, await signed(db, quoteId));
          if (link === undefined) throw new UploaderError(502, 'the provider named no file');
          return { quoteId, status, cid: link.CID, failure: null };
        } catch (error) {
          if (!(error instanceof UploaderError)) throw error;
          return { quoteId, status, cid: null, failure: `stored, but its CID could not be read: ${error.message}` };
        }
      }),
  };
}

/** A refusal of the quote, as Tally's problem: nothing was recorded. */
function asProblem(error: UploaderError, storageType: string): TallyError {
  if (error.status === 404)
    return new TallyError('storage_not_found', `no active storage of type ${storageType}`, [
      { field: 'body/storage_type', message: error.message },
    ]);
  return new TallyError('storage_provider_failed', `the storage provider could not quote: ${error.message}`);
}

/** The document as one multipart/form-data part named `file1`, with its exact length. */
function multipart(document: PublishedDocument) {
  const boundary = `tally-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file1"; filename="${document.fileName}"\r\n` +
      `Content-Type: ${document.contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + document.bytes.length + tail.length,
    body: async function* () {
      yield head;
      yield document.bytes;
      yield tail;
    },
  };
}

// The provider's own record of its quotes: one JSON file per quote under <dataDir>/quotes, each
// written whole to a temporary file and renamed over the old one, so a crash leaves the old
// version or the new one, never half of either. All quotes are read into memory at start; this is a
// reference provider, not a database. Amounts are decimal strings on disk and bigints in memory.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { STATUS } from '../platform/upload-status.ts';

export { STATUS };

export interface StoredFile {
  length: number;
  /** Set once the upload is done. */
  cid?: string;
  contentType?: string;
}

export interface Quote {
  quoteId: string;
  /** Creation order, for newest-first lists when two quotes share a millisecond. */
  serial: number;
  type: string;
  userAddress: `0x${string}`;
  chainId: number;
  tokenAddress: string;
  tokenAmount: bigint;
  approveAddress: `0x${string}`;
  duration: number;
  files: StoredFile[];
  createdAt: string;
  status: number;
  /** Why an upload failed, for the operator (and the failed upload's answer). */
  failure?: string;
  /** The payment's transaction, once sent. */
  paymentTx?: string;
}

export interface QuoteStore {
  create(fields: Omit<Quote, 'quoteId' | 'serial' | 'status' | 'createdAt'>, now: Date): Promise<Quote>;
  get(quoteId: string): Quote | undefined;
  /** Writes `quote` with `changes` applied, and keeps the result. */
  update(quoteId: string, changes: Partial<Omit<Quote, 'quoteId' | 'serial'>>): Promise<Quote>;
  /** The user's quotes, newest first (address compared case-insensitively). */
  byUser(userAddress: string): Quote[];
  all(): Quote[];
  /** The content type a done upload recorded for `cid` (its root CID), if any. */
  contentOf(cid: string): { contentType: string; length: number } | undefined;
}

type OnDisk = Omit<Quote, 'tokenAmount'> & { tokenAmount: string };

const QUOTE_ID = /^[0-9a-f]{32}$/;

export async function openQuoteStore(dataDir: string): Promise<QuoteStore> {
  const dir = join(dataDir, 'quotes');
  await mkdir(dir, { recursive: true });
  const quotes = new Map<string, Quote>();
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.json')) continue; // leftovers of a write cut short
    const disk = JSON.parse(await readFile(join(dir, name), 'utf8')) as OnDisk;
    quotes.set(disk.quoteId, { ...disk, tokenAmount: BigInt(disk.tokenAmount) });
  }
  let serial = Math.max(0, ...[...quotes.values()].map((q) => q.serial));
  const contents = new Map<string, { contentType: string; length: number }>();
  const index = (q: Quote) => {
    if (q.status !== STATUS.done) return;
    for (const f of q.files)
      if (f.cid !== undefined)
        contents.set(f.cid, { contentType: f.contentType ?? 'application/octet-stream', length: f.length });
  };
  for (const q of quotes.values()) index(q);

  const write = async (q: Quote) => {
    const path = join(dir, `${q.quoteId}.json`);
    const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify({ ...q, tokenAmount: q.tokenAmount.toString() }));
    await rename(temporary, path);
  };

  return {
    async create(fields, now) {
      const quote: Quote = {
        ...fields,
        quoteId: randomBytes(16).toString('hex'),
        serial: ++serial,
        status: STATUS.quoted,
        createdAt: now.toISOString(),
      };
      await write(quote);
      quotes.set(quote.quoteId, quote);
      return quote;
    },
    get: (quoteId) => (QUOTE_ID.test(quoteId) ? quotes.get(quoteId) : undefined),
    async update(quoteId, changes) {
      const old = quotes.get(quoteId);
      if (old === undefined) throw new Error(`provider: no quote ${quoteId}`);
      const quote = { ...old, ...changes };
      // Kept in memory first: a second request for the same quote sees the new status at once.
      quotes.set(quoteId, quote);
      await write(quote);
      index(quote);
      return quote;
    },
    byUser(userAddress) {
      const user = userAddress.toLowerCase();
      return [...quotes.values()]
        .filter((q) => q.userAddress.toLowerCase() === user)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.serial - a.serial);
    },
    all: () => [...quotes.values()],
    contentOf: (cid) => contents.get(cid),
  };
}

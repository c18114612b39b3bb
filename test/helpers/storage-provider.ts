// A stand-in storage provider for the uploader's tests: a real local HTTP server speaking the
// provider API Tally forwards to (POST /getQuote, POST /upload?quoteId multipart file1…fileN,
// GET /getStatus?quoteId, GET /getLink?quoteId, GET /ipfs/{cid}), keeping files in memory with a
// SHA-256 hex digest for a 'CID'. The reference provider (`tally provider ipfs`) replaces it in
// integration tests; this one also counts an upload's bytes as they arrive, so a test can see that
// Tally streams them through.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

interface StoredQuote {
  files: { length: number }[];
  status: number;
  links: { type: string; CID: string }[];
}

export interface StandInProvider {
  url: string;
  /** Bytes of each quote's upload body received so far. */
  received: Map<string, number>;
  quotes: Map<string, StoredQuote>;
  blobs: Map<string, Buffer>;
  /** Price per byte, in token base units. */
  price: bigint;
  /** A status every upload ends with instead of storing (a payment refused, a chain away), while set. */
  failUploadsWith: number | undefined;
  approveAddress: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readAll(req: IncomingMessage, onChunk?: (n: number) => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    onChunk?.(chunk.length);
  }
  return Buffer.concat(chunks);
}

export async function startStandInProvider(opts: { type?: string } = {}): Promise<StandInProvider> {
  const type = opts.type ?? 'ipfs';
  const quotes = new Map<string, StoredQuote>();
  const received = new Map<string, number>();
  const blobs = new Map<string, Buffer>();
  const provider = {
    received,
    quotes,
    blobs,
    price: 1_000_000_000_000n,
    failUploadsWith: undefined as number | undefined,
    approveAddress: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  };
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://provider');
      const quoteId = url.searchParams.get('quoteId') ?? '';
      if (req.method === 'POST' && url.pathname === '/getQuote') {
        const body = JSON.parse((await readAll(req)).toString('utf8'));
        const total = body.files.reduce((sum: number, f: { length: number }) => sum + f.length, 0);
        const id = randomUUID();
        quotes.set(id, { files: body.files, status: 1, links: [] });
        return send(res, 201, {
          quoteId: id,
          tokenAmount: (BigInt(total) * provider.price).toString(),
          approveAddress: provider.approveAddress,
          chainId: body.payment.chainId,
          tokenAddress: body.payment.tokenAddress,
        });
      }
      if (req.method === 'POST' && url.pathname === '/upload') {
        const quote = quotes.get(quoteId);
        if (!quote) return send(res, 404, { status: 0 });
        received.set(quoteId, 0);
        const raw = await readAll(req, (n) => received.set(quoteId, (received.get(quoteId) ?? 0) + n));
        if (provider.failUploadsWith !== undefined) {
          quote.status = provider.failUploadsWith;
          return send(res, 400, { status: quote.status });
        }
        const form = await new Response(raw, {
          headers: { 'content-type': req.headers['content-type'] ?? '' },
        }).formData();
        const files = quote.files.map((_, i) => form.get(`file${i + 1}`));
        const sizes = await Promise.all(files.map(async (f) => (f instanceof Blob ? f.size : -1)));
        if (sizes.some((size, i) => size !== quote.files[i]?.length)) {
          quote.status = 401;
          return send(res, 400, { status: 401 });
        }
        for (const f of files) {
          const bytes = Buffer.from(await (f as Blob).arrayBuffer());
          const cid = createHash('sha256').update(bytes).digest('hex');
          blobs.set(cid, bytes);
          quote.links.push({ type, CID: cid });
        }
        quote.status = 400;
        return send(res, 200, { status: 400 });
      }
      if (req.method === 'GET' && url.pathname === '/getStatus')
        return send(res, 200, { status: quotes.get(quoteId)?.status ?? 0 });
      if (req.method === 'GET' && url.pathname === '/getLink') {
        const quote = quotes.get(quoteId);
        return quote ? send(res, 200, quote.links) : send(res, 404, { error: 'no such quote' });
      }
      if (req.method === 'GET' && url.pathname.startsWith('/ipfs/')) {
        const blob = blobs.get(url.pathname.slice('/ipfs/'.length));
        if (!blob) return send(res, 404, { error: 'no such CID' });
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(blob);
      }
      return send(res, 404, { error: 'not found' });
    } catch (err) {
      return send(res, 500, { error: (err as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  // The same object the server reads, so a test's change to price or failUploadsWith takes effect.
  return Object.assign(provider, {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

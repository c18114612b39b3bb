// A storage provider that keeps nothing, for the upload benchmark (bench/upload.ts runs it as a
// process of its own: node discard-provider.js PORT). It quotes anything for free, reads an
// upload's body to its end and drops it, and reports it done, so an upload through Tally to it
// measures Tally's part of the data path alone: the reference provider's storage costs nothing.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const answer = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function text(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

const server = createServer(async (req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://provider');
  if (req.method === 'POST' && pathname === '/upload') {
    req.on('data', () => {});
    req.on('end', () => answer(res, 200, { status: 400 }));
    return;
  }
  if (req.method === 'POST' && pathname === '/getQuote') {
    const { payment } = JSON.parse(await text(req));
    return answer(res, 201, {
      quoteId: randomBytes(16).toString('hex'),
      tokenAmount: '0',
      approveAddress: '0x0000000000000000000000000000000000000000',
      chainId: payment.chainId,
      tokenAddress: payment.tokenAddress,
    });
  }
  if (pathname === '/getStatus') return answer(res, 200, { status: 400 });
  if (pathname === '/getLink') return answer(res, 200, [{ type: 'discard', CID: 'discarded' }]);
  answer(res, 404, { error: 'not found' });
});
server.listen(Number(process.argv[2]), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));

// The reference storage provider in free mode, over HTTP as Tally's uploader reaches it: quotes,
// streamed multipart uploads stored as IPFS content, links, bytes back by CID, history, refusals
// that keep nothing, a restart on the same data directory, and its registration with the uploader.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recoverMessageSigner } from '../../src/chain/index.ts';
import type { RunningProvider } from '../../src/provider/index.ts';
import { filesForm, filesUnder, getJson, postJson, startTestProvider, temporaryDir } from '../helpers/provider.ts';

const USER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const payment = { chainId: 31337, tokenAddress: '0x0000000000000000000000000000000000000000' };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function started(dataDir?: string): Promise<{ provider: RunningProvider; dataDir: string }> {
  let dir = dataDir;
  if (dir === undefined) {
    const temporary = await temporaryDir();
    cleanup.push(temporary.remove);
    dir = temporary.path;
  }
  const provider = await startTestProvider(dir);
  cleanup.push(() => provider.close());
  return { provider, dataDir: dir };
}

const quote = (url: string, lengths: number[], extra: Record<string, unknown> = {}) =>
  postJson(`${url}/getQuote`, {
    type: 'ipfs',
    files: lengths.map((length) => ({ length })),
    duration: 3600,
    payment,
    userAddress: USER,
    ...extra,
  });

const upload = async (url: string, quoteId: string, form: FormData) => {
  const response = await fetch(`${url}/upload?quoteId=${quoteId}`, { method: 'POST', body: form });
  return { status: response.status, body: (await response.json()) as any };
};

describe('the provider in free mode', () => {
  it('quotes, stores two files, links them, serves their bytes by CID and lists them in history', async () => {
    const { provider } = await started();
    const one = new TextEncoder().encode('{"hello":"world"}');
    const two = randomBytes(3 * 1024 * 1024 + 17); // more than one UnixFS chunk
    const q = await quote(provider.url, [one.length, two.length]);
    expect(q.status).toBe(201);
    expect(q.body).toEqual({
      quoteId: expect.stringMatching(/^[0-9a-f]{32}$/),
      tokenAmount: '0',
      approveAddress: provider.address,
      chainId: payment.chainId,
      tokenAddress: payment.tokenAddress,
    });
    const { quoteId } = q.body;
    expect((await getJson(`${provider.url}/getStatus?quoteId=${quoteId}`)).body).toEqual({ status: 1 });
    // A quote still waiting for its files is not history.
    expect((await getJson(`${provider.url}/getHistory?userAddress=${USER}`)).body).toEqual([]);
    expect((await getJson(`${provider.url}/getLink?quoteId=${quoteId}`)).status).toBe(404);

    const done = await upload(
      provider.url,
      quoteId,
      filesForm([{ bytes: one, type: 'application/json' }, { bytes: two }]),
    );
    expect(done).toEqual({ status: 200, body: { status: 400 } });
    expect((await getJson(`${provider.url}/getStatus?quoteId=${quoteId}`)).body).toEqual({ status: 400 });

    const link = await getJson(`${provider.url}/getLink?quoteId=${quoteId}`);
    expect(link.status).toBe(200);
    expect(link.body).toEqual([
      { type: 'ipfs', CID: expect.stringMatching(/^baf[a-z0-9]+$/) },
      { type: 'ipfs', CID: expect.stringMatching(/^baf[a-z0-9]+$/) },
    ]);
    const [first, second] = link.body;
    const a = await fetch(`${provider.url}/ipfs/${first.CID}`);
    expect(a.headers.get('content-type')).toBe('application/json');
    expect(Buffer.from(await a.arrayBuffer())).toEqual(Buffer.from(one));
    const b = await fetch(`${provider.url}/ipfs/${second.CID}`);
    expect(b.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await b.arrayBuffer()).equals(two)).toBe(true);

    const history = await getJson(`${provider.url}/getHistory?userAddress=${USER.toLowerCase()}&page=1&pageSize=25`);
    expect(history.body).toEqual([
      {
        quoteId,
        status: 400,
        chainId: payment.chainId,
        tokenAddress: payment.tokenAddress,
        tokenAmount: '0',
        approveAddress: provider.address,
        files: [{ length: one.length }, { length: two.length }],
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        links: link.body,
      },
    ]);
  });

  it("stores files under the CIDs of @helia/unixfs's default import: raw 1 MiB leaves, CIDv1, SHA-256", async () => {
    const { provider } = await started();
    const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) % 251);
    // Computed with @helia/unixfs 8.0.5's addByteStream and its defaults, before the provider
    // imported leaves its own way: an empty file, one leaf, one whole leaf, four leaves under a node.
    const expected: [number, string][] = [
      [0, 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'],
      [17, 'bafkreiflid6frcwsnhb6m2yxj44lscxsev6dd5rk7hpxws3hq5q7nul6ty'],
      [1_048_576, 'bafkreia4lg4goabhhbaug6a2rkf76lz3is6yqggq6u5rhmdeyi3vugx6ha'],
      [3_145_745, 'bafybeig4wgqkv7svtdrej2yzioz5zi4bpls5cpe6agya5xnucxncgzuro4'],
    ];
    const lengths = expected.map(([n]) => n);
    const { quoteId } = (await quote(provider.url, lengths)).body;
    const files = lengths.map((n) => ({ bytes: bytes(n) }));
    expect(await upload(provider.url, quoteId, filesForm(files))).toEqual({ status: 200, body: { status: 400 } });
    const link = await getJson(`${provider.url}/getLink?quoteId=${quoteId}`);
    expect(link.body).toEqual(expected.map(([, CID]) => ({ type: 'ipfs', CID })));
    for (const [i, { CID }] of (link.body as { CID: string }[]).entries()) {
      const back = await fetch(`${provider.url}/ipfs/${CID}`);
      expect(Buffer.from(await back.arrayBuffer()).equals(files[i]!.bytes)).toBe(true);
    }
  });

  it('refuses a bad quote: another type, a bad address, bad lengths', async () => {
    const { provider } = await started();
    expect((await quote(provider.url, [1], { type: 'arweave' })).status).toBe(400);
    expect((await quote(provider.url, [1], { userAddress: '0x1234' })).status).toBe(400);
    for (const files of [[], [{ length: -1 }], [{ length: 1.5 }], [{ length: '3' }], [{}]]) {
      const r = await quote(provider.url, [], { files });
      expect(r.status).toBe(400);
      expect(r.body.error).toEqual(expect.any(String));
    }
    expect((await getJson(`${provider.url}/getHistory?userAddress=${USER}`)).body).toEqual([]);
  });

  it('refuses files of other sizes than quoted and keeps none of their bytes', async () => {
    const { provider, dataDir } = await started();
    const before = await filesUnder(join(dataDir, 'blocks'));
    for (const [quoted, sent] of [
      [
        [5, 5],
        [5, 4],
      ],
      [
        [5, 5],
        [5, 6],
      ],
      [[5], [5, 5]],
      [[5, 5], [5]],
    ] as const) {
      const q = await quote(provider.url, [...quoted]);
      const r = await upload(provider.url, q.body.quoteId, filesForm(sent.map((n) => ({ bytes: randomBytes(n) }))));
      expect(r.status).toBe(400);
      expect(r.body.status).toBeGreaterThanOrEqual(401);
      expect(r.body.status).toBeLessThanOrEqual(499);
      expect((await getJson(`${provider.url}/getStatus?quoteId=${q.body.quoteId}`)).body).toEqual({
        status: r.body.status,
      });
      expect((await getJson(`${provider.url}/getLink?quoteId=${q.body.quoteId}`)).status).toBe(404);
    }
    expect(await filesUnder(join(dataDir, 'blocks'))).toEqual(before);
    expect(await filesUnder(join(dataDir, 'staging'))).toEqual([]);
  });

  it('takes one upload per quote', async () => {
    const { provider } = await started();
    const q = await quote(provider.url, [3]);
    const bytes = new Uint8Array([1, 2, 3]);
    expect((await upload(provider.url, q.body.quoteId, filesForm([{ bytes }]))).body).toEqual({ status: 400 });
    const again = await upload(provider.url, q.body.quoteId, filesForm([{ bytes }]));
    expect(again.status).toBe(409);
    expect((await upload(provider.url, 'f'.repeat(32), filesForm([{ bytes }]))).status).toBe(404);
    expect((await getJson(`${provider.url}/getStatus?quoteId=${'f'.repeat(32)}`)).body).toEqual({ status: 0 });
  });

  it('takes one of two uploads sent at once on the same quote', async () => {
    const { provider } = await started();
    const q = await quote(provider.url, [4096]);
    const bytes = randomBytes(4096);
    const both = await Promise.all([
      upload(provider.url, q.body.quoteId, filesForm([{ bytes }])),
      upload(provider.url, q.body.quoteId, filesForm([{ bytes }])),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await getJson(`${provider.url}/getStatus?quoteId=${q.body.quoteId}`)).body).toEqual({ status: 400 });
  });

  it('refuses a body that is not multipart without spending the quote', async () => {
    const { provider } = await started();
    const q = await quote(provider.url, [3]);
    const r = await fetch(`${provider.url}/upload?quoteId=${q.body.quoteId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(r.status).toBe(415);
    expect((await getJson(`${provider.url}/getStatus?quoteId=${q.body.quoteId}`)).body).toEqual({ status: 1 });
    expect((await upload(provider.url, q.body.quoteId, filesForm([{ bytes: new Uint8Array(3) }]))).body).toEqual({
      status: 400,
    });
  });

  it('lists history newest first, a page at a time, only the user asked about', async () => {
    const { provider } = await started();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const q = await quote(provider.url, [1]);
      await upload(provider.url, q.body.quoteId, filesForm([{ bytes: new Uint8Array([i]) }]));
      ids.push(q.body.quoteId);
    }
    await quote(provider.url, [1], { userAddress: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' });
    const page = async (n: number, size: number) =>
      (await getJson(`${provider.url}/getHistory?userAddress=${USER}&page=${n}&pageSize=${size}`)).body.map(
        (q: { quoteId: string }) => q.quoteId,
      );
    const newestFirst = [...ids].reverse();
    expect(await page(1, 2)).toEqual(newestFirst.slice(0, 2));
    expect(await page(2, 2)).toEqual(newestFirst.slice(2, 4));
    expect(await page(3, 2)).toEqual(newestFirst.slice(4));
    expect(await page(4, 2)).toEqual([]);
    expect((await getJson(`${provider.url}/getHistory?userAddress=${USER}&page=0`)).status).toBe(400);
    expect((await getJson(`${provider.url}/getHistory?userAddress=nobody`)).status).toBe(400);
  });

  it('marks an upload a stop cut short as failed when it starts again', async () => {
    const first = await started();
    const q = await quote(first.provider.url, [10]);
    await first.provider.close();
    // As a stop in the middle of the upload leaves the record: claimed, not done.
    const path = join(first.dataDir, 'quotes', `${q.body.quoteId}.json`);
    const record = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...record, status: 300 }));
    const { provider } = await started(first.dataDir);
    expect((await getJson(`${provider.url}/getStatus?quoteId=${q.body.quoteId}`)).body).toEqual({ status: 499 });
    expect((await upload(provider.url, q.body.quoteId, filesForm([{ bytes: new Uint8Array(10) }]))).status).toBe(409);
  });

  it('keeps its history and files across a restart on the same data directory', async () => {
    const first = await started();
    const bytes = randomBytes(1000);
    const q = await quote(first.provider.url, [bytes.length]);
    await upload(first.provider.url, q.body.quoteId, filesForm([{ bytes, type: 'text/csv' }]));
    const history = (await getJson(`${first.provider.url}/getHistory?userAddress=${USER}`)).body;
    await first.provider.close();

    const { provider } = await started(first.dataDir);
    expect((await getJson(`${provider.url}/getHistory?userAddress=${USER}`)).body).toEqual(history);
    expect((await getJson(`${provider.url}/getStatus?quoteId=${q.body.quoteId}`)).body).toEqual({ status: 400 });
    const [link] = (await getJson(`${provider.url}/getLink?quoteId=${q.body.quoteId}`)).body;
    const back = await fetch(`${provider.url}/ipfs/${link.CID}`);
    expect(back.headers.get('content-type')).toBe('text/csv');
    expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('registers with the uploader at start, signed by its wallet', async () => {
    const bodies: any[] = [];
    const uploader = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => {
        text += chunk;
      });
      request.on('end', () => {
        bodies.push({ path: request.url, body: JSON.parse(text) });
        response.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => uploader.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => uploader.close(() => resolve())));
    const uploaderUrl = `http://127.0.0.1:${(uploader.address() as AddressInfo).port}`;
    const temporary = await temporaryDir();
    cleanup.push(temporary.remove);
    const provider = await startTestProvider(temporary.path, {
      uploaderUrl,
      url: 'http://provider.test:8090',
      chain: { rpcUrl: undefined, chainId: 31337 },
    });
    cleanup.push(() => provider.close());
    while (bodies.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const [{ path, body }] = bodies;
    expect(path).toBe('/register');
    expect(body).toEqual({
      type: 'ipfs',
      description: 'test provider',
      url: 'http://provider.test:8090',
      payment: [{ chainId: 31337, acceptedTokens: [] }],
      signature: expect.stringMatching(/^0x[0-9a-f]{130}$/),
    });
    expect(await recoverMessageSigner(body.url, body.signature)).toBe(provider.address);
  });
});

// The whole Ocean flow, driven by Ocean's published client (`@oceanprotocol/uploader` 0.0.3,
// unchanged code) against Tally's /uploader face and the reference provider in paid mode, on a
// real chain with a real ERC-20: storage info, quote, approve + upload, status 400, links, the
// bytes back by CID, history. The client signs nonces in whole seconds of Date.now(), so the test
// sets the system time forward between signed calls (nonces must grow) instead of waiting.
// `tally check` passes on the database the flow leaves.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UploaderClient } from '@oceanprotocol/uploader';
import { JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectChain } from '../../src/chain/index.ts';
import { checkEverything } from '../../src/check.ts';
import type { RunningProvider } from '../../src/provider/index.ts';
import { startChain, type TestAccount, type TestChain } from '../helpers/chain.ts';
import { PROVIDER_KEY, startTestProvider, temporaryDir } from '../helpers/provider.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { privateKeyToAccount } from 'viem/accounts';

const TYPE = 'ipfs-paid';
const PRICE = 3n;

describe('Ocean’s uploader client against Tally and the reference provider', () => {
  let chain: TestChain;
  let s: TestServer;
  let provider: RunningProvider;
  let providerDir: { path: string; remove(): Promise<void> };
  let filesDir: string;
  let user: TestAccount;
  let client: UploaderClient;

  beforeAll(async () => {
    chain = await startChain();
    user = chain.accounts[1] as TestAccount;
    const providerAddress = privateKeyToAccount(PROVIDER_KEY).address;
    s = await startServer({
      TALLY_UPLOADER_PRIVATE_PORT: '0',
      TALLY_UPLOADER_APPROVED_ADDRESSES: providerAddress,
    });
    providerDir = await temporaryDir();
    provider = await startTestProvider(providerDir.path, {
      type: TYPE,
      uploaderUrl: s.tally.uploaderPrivateUrl,
      chain: { rpcUrl: chain.rpcUrl, chainId: chain.chainId },
      tokens: [{ symbol: 'TT', address: chain.token }],
      price: PRICE,
    });
    filesDir = await mkdtemp(join(tmpdir(), 'tally-ocean-'));
    const rpc = new JsonRpcProvider(chain.rpcUrl, chain.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: 50,
    });
    // The client approves the address it is given as the uploader's for every paid type.
    // The client's declarations name ethers' CommonJS types, this file imports its ESM build: the
    // same class, seen twice by the compiler.
    const signer = new Wallet(user.privateKey, rpc) as unknown as ConstructorParameters<typeof UploaderClient>[2];
    client = new UploaderClient(`${s.url}/uploader`, provider.address, signer);
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-01T12:00:00Z') });
  });
  afterAll(async () => {
    vi.useRealTimers();
    await provider?.close();
    await s?.close();
    await chain?.close();
    await providerDir?.remove();
    if (filesDir) await rm(filesDir, { recursive: true, force: true });
  });

  /** The next signed call's nonce: a second later. */
  const tick = () => vi.setSystemTime(Date.now() + 1_000);

  it('lists, quotes, takes the payment, stores, links, serves the bytes and remembers', async () => {
    const storages = await client.getStorageInfo();
    expect(storages).toEqual([
      {
        type: TYPE,
        description: expect.any(String),
        payment: [{ chainId: chain.chainId, acceptedTokens: [{ TT: chain.token }] }],
      },
    ]);

    const contents = [Buffer.from('hourly disclosure, 2026-11'), Buffer.from('{"block":1,"root":"ab"}')];
    const paths = contents.map((_, i) => join(filesDir, `file${i + 1}`));
    for (const [i, path] of paths.entries()) await writeFile(path, contents[i] as Buffer);
    const quote = await client.getQuote({
      type: TYPE,
      duration: 3600,
      // The client's declarations type chainId as a string; Ocean's API and README send a number.
      payment: { chainId: chain.chainId as unknown as string, tokenAddress: chain.token },
      userAddress: user.address,
      filePath: paths,
    });
    const bytes = BigInt(contents.reduce((n, c) => n + c.length, 0));
    expect(quote).toEqual({
      quoteId: expect.any(String),
      tokenAmount: (bytes * PRICE).toString(),
      approveAddress: provider.address,
      chainId: chain.chainId,
      tokenAddress: chain.token,
    });

    const token = connectChain({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, token: chain.token, confirmations: 1 });
    const before = await token.tokenBalance(provider.address);
    tick();
    const upload = await client.upload(quote.quoteId, chain.token, String(quote.tokenAmount), paths, TYPE);
    expect(upload.status).toBe(200);
    expect(await client.getStatus(quote.quoteId)).toEqual({ status: 400 });
    expect((await token.tokenBalance(provider.address)) - before).toBe(bytes * PRICE);

    tick();
    const links = await client.getLink(quote.quoteId);
    expect(links).toEqual([
      { type: TYPE, CID: expect.stringMatching(/^b[a-z2-7]+$/) },
      { type: TYPE, CID: expect.stringMatching(/^b[a-z2-7]+$/) },
    ]);
    for (const [i, link] of links.entries()) {
      const fetched = await fetch(`${provider.url}/ipfs/${link.CID}`);
      expect(Buffer.from(await fetched.arrayBuffer())).toEqual(contents[i]);
    }

    tick();
    const history = await client.getHistory(1, 25, TYPE);
    expect(history).toEqual([expect.objectContaining({ quoteId: quote.quoteId, status: 400 })]);
    // Without a storage type the client sends the word "undefined": every storage's quotes.
    tick();
    expect(await client.getHistory(1, 25, undefined as unknown as string)).toEqual(history);
    expect(await checkEverything(s.db.database.kysely)).toEqual([]);
  });
});

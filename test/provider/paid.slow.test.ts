// The provider in paid mode on a real chain (Hardhat's EDR node, a real ERC-20): the quote's price
// is bytes × price in base units past 2^53, the upload pulls exactly that with transferFrom before
// the files are kept, and a user who approved too little (or holds too little) pays nothing and
// stores nothing.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, erc20Abi, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { hardhat } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProvider } from '../../src/provider/index.ts';
import { startChain, type TestChain } from '../helpers/chain.ts';
import { filesForm, filesUnder, getJson, postJson, startTestProvider, temporaryDir } from '../helpers/provider.ts';

/** Base units per byte: 100 bytes cost 10^17, far past 2^53. */
const PRICE = 10n ** 15n;

let chain: TestChain;
let provider: RunningProvider;
let dataDir: string;
let removeDir: () => Promise<void>;

beforeAll(async () => {
  chain = await startChain();
  const dir = await temporaryDir();
  dataDir = dir.path;
  removeDir = dir.remove;
  provider = await startTestProvider(dataDir, {
    type: 'ipfs-paid',
    chain: { rpcUrl: chain.rpcUrl, chainId: chain.chainId },
    tokens: [{ symbol: 'TT', address: chain.token }],
    price: PRICE,
  });
});

afterAll(async () => {
  await provider?.close();
  await chain?.close();
  await removeDir?.();
});

const balanceOf = (address: `0x${string}`) =>
  createPublicClient({ chain: hardhat, transport: http(chain.rpcUrl) }).readContract({
    address: chain.token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  });

async function approve(key: Hex, spender: `0x${string}`, amount: bigint): Promise<void> {
  const wallet = createWalletClient({
    account: privateKeyToAccount(key),
    chain: hardhat,
    transport: http(chain.rpcUrl),
  });
  const hash = await wallet.writeContract({
    address: chain.token,
    abi: erc20Abi,
    functionName: 'approve',
    args: [spender, amount],
  });
  await createPublicClient({ chain: hardhat, transport: http(chain.rpcUrl) }).waitForTransactionReceipt({ hash });
}

const quote = (user: `0x${string}`, lengths: number[], payment?: { chainId: number; tokenAddress: string }) =>
  postJson(`${provider.url}/getQuote`, {
    type: 'ipfs-paid',
    files: lengths.map((length) => ({ length })),
    duration: 0,
    payment: payment ?? { chainId: chain.chainId, tokenAddress: chain.token.toLowerCase() },
    userAddress: user,
  });

const upload = async (quoteId: string, files: Uint8Array[]) => {
  const response = await fetch(`${provider.url}/upload?quoteId=${quoteId}`, {
    method: 'POST',
    body: filesForm(files.map((bytes) => ({ bytes }))),
  });
  return { status: response.status, body: (await response.json()) as any };
};

describe('the provider in paid mode', () => {
  it('quotes bytes × price exactly, in base units past 2^53, only in its token on its chain', async () => {
    const user = chain.accounts[1]!;
    const q = await quote(user.address, [60, 40]);
    expect(q.status).toBe(201);
    expect(q.body).toEqual({
      quoteId: expect.any(String),
      tokenAmount: (100n * PRICE).toString(),
      approveAddress: provider.address,
      chainId: chain.chainId,
      tokenAddress: chain.token,
    });
    expect(BigInt(q.body.tokenAmount) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect((await quote(user.address, [1], { chainId: chain.chainId, tokenAddress: chain.otherToken })).status).toBe(
      400,
    );
    expect((await quote(user.address, [1], { chainId: chain.chainId + 1, tokenAddress: chain.token })).status).toBe(
      400,
    );
  });

  it('pulls exactly the quoted amount with transferFrom, then stores the files', async () => {
    const user = chain.accounts[1]!;
    const files = [randomBytes(60), randomBytes(40)];
    const q = await quote(user.address, [60, 40]);
    const amount = BigInt(q.body.tokenAmount);
    await approve(user.privateKey, q.body.approveAddress, amount);
    const [providerBefore, userBefore] = [await balanceOf(provider.address), await balanceOf(user.address)];

    expect(await upload(q.body.quoteId, files)).toEqual({ status: 200, body: { status: 400 } });
    expect(await balanceOf(provider.address)).toBe(providerBefore + amount);
    expect(await balanceOf(user.address)).toBe(userBefore - amount);
    const links = (await getJson(`${provider.url}/getLink?quoteId=${q.body.quoteId}`)).body;
    for (const [i, link] of links.entries()) {
      const back = Buffer.from(await (await fetch(`${provider.url}/ipfs/${link.CID}`)).arrayBuffer());
      expect(back.equals(files[i]!)).toBe(true);
    }
  });

  it('refuses an upload whose allowance is too low: a 2xx status, nothing paid, nothing stored', async () => {
    const user = chain.accounts[2]!;
    const q = await quote(user.address, [100]);
    await approve(user.privateKey, q.body.approveAddress, BigInt(q.body.tokenAmount) - 1n);
    const [providerBefore, userBefore] = [await balanceOf(provider.address), await balanceOf(user.address)];
    const blocksBefore = await filesUnder(join(dataDir, 'blocks'));

    const refused = await upload(q.body.quoteId, [randomBytes(100)]);
    expect(refused.status).toBe(402);
    expect(refused.body.status).toBe(200);
    expect((await getJson(`${provider.url}/getStatus?quoteId=${q.body.quoteId}`)).body).toEqual({ status: 200 });
    expect((await getJson(`${provider.url}/getLink?quoteId=${q.body.quoteId}`)).status).toBe(404);
    expect(await balanceOf(provider.address)).toBe(providerBefore);
    expect(await balanceOf(user.address)).toBe(userBefore);
    expect(await filesUnder(join(dataDir, 'blocks'))).toEqual(blocksBefore);
    // The quote is spent: a second try after approving more is refused too.
    await approve(user.privateKey, q.body.approveAddress, BigInt(q.body.tokenAmount));
    expect((await upload(q.body.quoteId, [randomBytes(100)])).status).toBe(409);
  });

  it('refuses an upload the user cannot cover: status 201, nothing paid, nothing stored', async () => {
    const user = chain.accounts[3]!;
    const held = await balanceOf(user.address);
    const bytes = Number(held / PRICE) + 1; // one byte more than the balance pays for
    const q = await quote(user.address, [bytes]);
    await approve(user.privateKey, q.body.approveAddress, BigInt(q.body.tokenAmount));
    const blocksBefore = await filesUnder(join(dataDir, 'blocks'));
    const refused = await upload(q.body.quoteId, [randomBytes(bytes)]);
    expect(refused).toEqual({ status: 402, body: { status: 201, error: expect.stringContaining('balance') } });
    expect(await balanceOf(user.address)).toBe(held);
    expect(await filesUnder(join(dataDir, 'blocks'))).toEqual(blocksBefore);
  });

  it('refuses files of other sizes than quoted without taking payment', async () => {
    const user = chain.accounts[1]!;
    const q = await quote(user.address, [50]);
    await approve(user.privateKey, q.body.approveAddress, BigInt(q.body.tokenAmount));
    const before = await balanceOf(user.address);
    const refused = await upload(q.body.quoteId, [randomBytes(49)]);
    expect(refused.status).toBe(400);
    expect(refused.body.status).toBe(401);
    expect(await balanceOf(user.address)).toBe(before);
  });
});

// The token rail against a real chain (Hardhat's EDR node, in this process): a payment accepted
// with its exact amount and block, each refusal made by a transaction that earns it, payouts that
// move exact balances, and an endpoint that fails surfacing as an error, never as a refusal.
import { type AddressInfo, createServer } from 'node:net';
import { createPublicClient, createTestClient, createWalletClient, erc20Abi, http, parseTransaction } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { hardhat } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectChain, type Hash, type TokenRail, tokenWallet } from '../../src/chain/index.ts';
import { startChain, type TestAccount, type TestChain } from '../helpers/chain.ts';

const CONFIRMATIONS = 3;

let chain: TestChain;
let rail: TokenRail;
let market: TestAccount;
let alice: TestAccount;
let bob: TestAccount;
let carol: TestAccount;

beforeAll(async () => {
  chain = await startChain();
  [market, alice, bob, carol] = chain.accounts as [TestAccount, TestAccount, TestAccount, TestAccount];
  rail = connectChain({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    token: chain.token,
    privateKey: market.privateKey,
    confirmations: CONFIRMATIONS,
  });
});
afterAll(() => chain?.close());

/** `hash`, once its block is as deep as the rail asks (the including block is the first). */
async function confirmed(hash: Hash): Promise<Hash> {
  await chain.mine(CONFIRMATIONS - 1);
  return hash;
}

/** A wallet of `account`'s own, for what the helper does not send (an approval, a transferFrom). */
const signedBy = (account: TestAccount) =>
  createWalletClient({
    account: privateKeyToAccount(account.privateKey),
    chain: hardhat,
    transport: http(chain.rpcUrl),
  });

/** What the market expects of alice's payment, for `hash`. */
const fromAlice = (hash: string, minAmount = 250n) => ({ hash, from: alice.address, to: market.address, minAmount });

describe('checkTransfer', () => {
  it('accepts a payment of exactly the amount, reporting the amount and its block', async () => {
    const hash = await confirmed(await chain.transfer(alice.privateKey, market.address, 250n));
    const reader = createPublicClient({ chain: hardhat, transport: http(chain.rpcUrl) });
    const { blockNumber } = await reader.getTransactionReceipt({ hash });
    expect(await rail.checkTransfer(fromAlice(hash))).toEqual({ ok: true, amount: 250n, blockNumber });
    expect(await rail.checkTransfer(fromAlice(hash, 249n))).toEqual({ ok: true, amount: 250n, blockNumber });
  });

  it('refuses a payment to another address', async () => {
    const hash = await confirmed(await chain.transfer(alice.privateKey, bob.address, 250n));
    expect(await rail.checkTransfer(fromAlice(hash))).toEqual({ ok: false, reason: 'wrong_recipient' });
  });

  it('refuses a payment in another token', async () => {
    const hash = await confirmed(await chain.transfer(alice.privateKey, market.address, 250n, chain.otherToken));
    expect(await rail.checkTransfer(fromAlice(hash))).toEqual({ ok: false, reason: 'wrong_token' });
  });

  it('refuses a payment smaller than asked', async () => {
    const hash = await confirmed(await chain.transfer(alice.privateKey, market.address, 249n));
    expect(await rail.checkTransfer(fromAlice(hash))).toEqual({ ok: false, reason: 'too_small' });
  });

  it('refuses a payment from another wallet', async () => {
    const hash = await confirmed(await chain.transfer(bob.privateKey, market.address, 250n));
    expect(await rail.checkTransfer(fromAlice(hash))).toEqual({ ok: false, reason: 'wrong_sender' });
  });

  it("counts a transferFrom as the holder's payment, whoever signed it", async () => {
    const token = { address: chain.token, abi: erc20Abi } as const;
    await signedBy(alice).writeContract({ ...token, functionName: 'approve', args: [bob.address, 250n] });
    const hash = await confirmed(
      await signedBy(bob).writeContract({
        ...token,
        functionName: 'transferFrom',
        args: [alice.address, market.address, 250n],
      }),
    );
    expect(await rail.checkTransfer(fromAlice(hash))).toMatchObject({ ok: true, amount: 250n });
    expect(await rail.checkTransfer({ ...fromAlice(hash), from: bob.address })).toEqual({
      ok: false,
      reason: 'wrong_sender',
    });
  });

  it('answers unconfirmed until the block is deep enough, then accepts', async () => {
    const hash = await chain.transfer(alice.privateKey, market.address, 250n);
    for (let depth = 1; depth < CONFIRMATIONS; depth++) {
      expect(await rail.confirmations(hash)).toBe(depth);
      expect(await rail.checkTransfer(fromAlice(hash))).toEqual({ ok: false, reason: 'unconfirmed' });
      await chain.mine(1);
    }
    expect(await rail.confirmations(hash)).toBe(CONFIRMATIONS);
    expect(await rail.checkTransfer(fromAlice(hash))).toMatchObject({ ok: true, amount: 250n });
  });

  it('says unconfirmed before any final refusal: a shallow block may still be reorganised away', async () => {
    const hash = await chain.transfer(alice.privateKey, bob.address, 250n);
    expect(await rail.checkTransfer(fromAlice(hash))).toEqual({ ok: false, reason: 'unconfirmed' });
    await confirmed(hash);
    expect(await rail.checkTransfer(fromAlice(hash))).toEqual({ ok: false, reason: 'wrong_recipient' });
  });

  it('refuses a reverted transaction, which never counts as confirmed', async () => {
    const hash = await confirmed(await chain.revertingTransfer(alice.privateKey, market.address, 10n ** 30n));
    expect(await rail.checkTransfer(fromAlice(hash))).toEqual({ ok: false, reason: 'reverted' });
    expect(await rail.confirmations(hash)).toBe(0);
  });

  it('answers not_found for an unknown or malformed hash', async () => {
    for (const hash of [`0x${'ab'.repeat(32)}`, '0x1234', 'not a hash', `0x${'zz'.repeat(32)}`]) {
      expect(await rail.checkTransfer(fromAlice(hash))).toEqual({ ok: false, reason: 'not_found' });
    }
    expect(await rail.confirmations(`0x${'ab'.repeat(32)}`)).toBe(0);
  });

  it('answers pending for a transaction the node holds but has not mined', async () => {
    const tester = createTestClient({ mode: 'hardhat', chain: hardhat, transport: http(chain.rpcUrl) });
    await tester.setAutomine(false);
    let hash: Hash;
    try {
      hash = await signedBy(alice).writeContract({
        address: chain.token,
        abi: erc20Abi,
        functionName: 'transfer',
        args: [market.address, 250n],
      });
      expect(await rail.checkTransfer(fromAlice(hash))).toEqual({ ok: false, reason: 'pending' });
      expect(await rail.confirmations(hash)).toBe(0);
    } finally {
      await tester.setAutomine(true);
    }
    await chain.mine(CONFIRMATIONS);
    expect(await rail.checkTransfer(fromAlice(hash))).toMatchObject({ ok: true, amount: 250n });
  });
});

describe('signTokenTransfer and broadcast', () => {
  it('pays from the market key, moving exactly the amount', async () => {
    expect(rail.marketAddress).toBe(market.address);
    const marketBefore = await rail.tokenBalance(market.address);
    const carolBefore = await rail.tokenBalance(carol.address);
    const signed = await rail.signTokenTransfer(carol.address, 1234n);
    await rail.broadcast(signed.raw);
    const { hash } = signed;
    expect(await rail.tokenBalance(market.address)).toBe(marketBefore - 1234n);
    expect(await rail.tokenBalance(carol.address)).toBe(carolBefore + 1234n);
    await confirmed(hash);
    const payout = { hash, from: market.address, to: carol.address, minAmount: 1234n };
    expect(await rail.checkTransfer(payout)).toMatchObject({ ok: true, amount: 1234n });
    expect(await rail.confirmations(hash)).toBe(CONFIRMATIONS);
    // Broadcasting it again (a restart after a crash) is harmless and moves nothing more.
    await rail.broadcast(signed.raw);
    await chain.mine(1);
    expect(await rail.tokenBalance(carol.address)).toBe(carolBefore + 1234n);
  });

  it('sends payouts at once, each with a nonce of its own', async () => {
    const amounts = [1n, 2n, 3n, 4n, 5n];
    const before = await rail.tokenBalance(carol.address);
    const signed = await Promise.all(amounts.map((amount) => rail.signTokenTransfer(carol.address, amount)));
    // In nonce order: a chain that mines each transaction at once (as this one) queues none ahead.
    const byNonce = [...signed].sort(
      (a, b) => (parseTransaction(a.raw).nonce ?? 0) - (parseTransaction(b.raw).nonce ?? 0),
    );
    expect(new Set(byNonce.map((s) => parseTransaction(s.raw).nonce)).size).toBe(amounts.length);
    for (const s of byNonce) await rail.broadcast(s.raw);
    const hashes = signed.map((s) => s.hash);
    expect(new Set(hashes).size).toBe(amounts.length);
    await chain.mine(CONFIRMATIONS);
    expect(await rail.tokenBalance(carol.address)).toBe(before + 15n);
    for (const hash of hashes) expect(await rail.confirmations(hash)).toBeGreaterThanOrEqual(CONFIRMATIONS);
  });

  it('refuses to send more than the market holds, sending nothing', async () => {
    const held = await rail.tokenBalance(market.address);
    await expect(rail.signTokenTransfer(carol.address, held + 1n)).rejects.toThrow(/ERC20InsufficientBalance/);
    expect(await rail.tokenBalance(market.address)).toBe(held);
  });

  it('needs the market key to send', async () => {
    const reader = connectChain({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, token: chain.token, confirmations: 1 });
    expect(reader.marketAddress).toBeUndefined();
    await expect(reader.signTokenTransfer(carol.address, 1n)).rejects.toThrow(/needs the market key/);
  });
});

describe('a token wallet', () => {
  const walletOf = (account: TestAccount) =>
    tokenWallet({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, privateKey: account.privateKey, whose: 'test' });

  it('approves a spender, who pulls exactly the approved amount and no more', async () => {
    const spender = walletOf(carol);
    const approval = await walletOf(bob).approve(chain.token, carol.address, 400n);
    expect(approval.status).toBe('success');
    expect(await spender.cannotPull(chain.token, bob.address, 400n)).toBeUndefined();
    expect(await spender.cannotPull(chain.token, bob.address, 401n)).toEqual({
      paid: false,
      reason: 'allowance',
      detail: 'allowance 400 is below the quoted 401',
    });

    const [bobBefore, carolBefore] = [await rail.tokenBalance(bob.address), await rail.tokenBalance(carol.address)];
    const sent: Hash[] = [];
    const pulled = await spender.pull(chain.token, bob.address, 400n, async (hash) => {
      sent.push(hash);
    });
    expect(pulled).toEqual({ paid: true, hash: sent[0] });
    expect(bobBefore - (await rail.tokenBalance(bob.address))).toBe(400n);
    expect((await rail.tokenBalance(carol.address)) - carolBefore).toBe(400n);

    // The allowance is spent: a second pull is refused before anything is sent.
    const again = await spender.pull(chain.token, bob.address, 1n, async () => {
      throw new Error('nothing should be sent');
    });
    expect(again).toMatchObject({ paid: false, reason: 'allowance' });
  });

  it('refuses to pull more than the owner holds, sending nothing', async () => {
    const balance = await rail.tokenBalance(bob.address);
    await walletOf(bob).approve(chain.token, carol.address, balance + 1n);
    const refused = await walletOf(carol).pull(chain.token, bob.address, balance + 1n, async () => {
      throw new Error('nothing should be sent');
    });
    expect(refused).toEqual({
      paid: false,
      reason: 'balance',
      detail: `balance ${balance} is below the quoted ${balance + 1n}`,
    });
    expect(await rail.tokenBalance(bob.address)).toBe(balance);
  });
});

describe('an endpoint that fails', () => {
  it('throws when the node cannot be reached, without quoting its URL', async () => {
    const down = connectChain({
      rpcUrl: `http://127.0.0.1:${await closedPort()}/v3/secret-api-key`,
      chainId: chain.chainId,
      token: chain.token,
      confirmations: 1,
    });
    const asks = [
      down.checkTransfer(fromAlice(`0x${'ab'.repeat(32)}`)),
      down.confirmations(`0x${'ab'.repeat(32)}`),
      down.tokenBalance(alice.address),
    ];
    for (const ask of asks) {
      const error = await ask.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/HTTP request failed/);
      expect((error as Error).message).not.toContain('secret-api-key');
    }
  });

  it('throws when the endpoint serves another chain than the configured one', async () => {
    const elsewhere = connectChain({ rpcUrl: chain.rpcUrl, chainId: 1, token: chain.token, confirmations: 1 });
    const hash = await chain.transfer(alice.privateKey, market.address, 250n);
    await expect(elsewhere.checkTransfer(fromAlice(hash))).rejects.toThrow(/serves chain 31337, not 1/);
    await expect(elsewhere.tokenBalance(alice.address)).rejects.toThrow(/serves chain 31337, not 1/);
  });
});

/** A loopback port no one listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

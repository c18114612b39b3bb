// The token rail: one ERC-20 token on one EVM chain, reached through one JSON-RPC endpoint. The
// market checks the payments users say they made and pays sellers from its own key through it.
// A refusal is an answer about the transaction; an endpoint that fails or does not answer throws,
// so a caller never mistakes an outage for a bad payment.
import {
  encodeFunctionData,
  type Hex,
  keccak256,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
} from 'viem';
import { type Address, checksumAddress } from './addresses.ts';
import { serially } from '../platform/serially.ts';
import { type EndpointOptions, openEndpoint } from './endpoint.ts';
import { tokenAbi } from './token-abi.ts';
import { confirmationsAt, judgeReceipt, refused, type TransferCheck } from './transfer-check.ts';

/** A 32-byte transaction hash, `0x` and 64 hex digits. */
export type Hash = `0x${string}`;

const isHash = (text: string): text is Hash => /^0x[0-9a-fA-F]{64}$/.test(text);

export interface ChainOptions extends EndpointOptions {
  /** The ERC-20 contract whose transfers count as payments. */
  token: Address;
  /** The market's key: it pays out, and its address receives payments. Without it the rail only reads. */
  privateKey?: Hex;
  /** How deep a transaction's block must be (the including block counts as 1) before it counts. */
  confirmations: number;
}

export interface TokenRail {
  /** The market key's address, if a key was given. */
  marketAddress: Address | undefined;
  /**
   * Whether transaction `hash` moved at least `minAmount` of the token from `from` to `to`, with the
   * configured confirmations. A malformed hash names no transaction: 'not_found', without asking
   * the node. Known but not yet mined: 'pending'. The other refusals, in order: judgeReceipt.
   */
  checkTransfer(expected: { hash: string; from: Address; to: Address; minAmount: bigint }): Promise<TransferCheck>;
  /**
   * Signs a transfer of `amount` of the token from the market key to `to`, without sending it, so
   * its hash can be stored before it leaves: a payout is then broadcast again after a crash, never
   * signed twice. Refused (it throws) if the node finds it would revert, an overdraft included.
   */
  signTokenTransfer(to: Address, amount: bigint): Promise<{ hash: Hash; raw: Hex }>;
  /** Sends a signed transaction; sending one the node already knows (or has mined) is harmless. */
  broadcast(raw: Hex): Promise<void>;
  /**
   * How many blocks confirm `hash` (its own included); 0 while it is unknown or pending. A reverted
   * transaction is 0 forever: it paid nothing, so it must never look settled (checkTransfer says why).
   */
  confirmations(hash: Hash): Promise<number>;
  tokenBalance(address: Address): Promise<bigint>;
}

export function connectChain(options: ChainOptions): TokenRail {
  const token = checksumAddress(options.token);
  if (token === undefined) throw new Error(`chain: the token ${options.token} is not an address`);
  if (!Number.isInteger(options.confirmations) || options.confirmations < 1) {
    throw new Error(`chain: confirmations must be a whole number of blocks, at least 1 (got ${options.confirmations})`);
  }
  const { client, signer, safely } = openEndpoint(options);
  const wallet = options.privateKey === undefined ? undefined : signer(options.privateKey, 'market');

  // A receipt from another chain would accept a payment made there. The endpoint's chain id is
  // asked before its first answer is trusted; only a match is remembered, so after an outage or a
  // mismatch it is asked again. (Sending needs no such guard: viem checks the chain id before each
  // transaction it signs.)
  let sameChain: Promise<void> | undefined;
  const onConfiguredChain = (): Promise<void> =>
    (sameChain ??= client
      .getChainId()
      .then((id) => {
        if (id !== options.chainId) throw new Error(`chain: the endpoint serves chain ${id}, not ${options.chainId}`);
      })
      .catch((error: unknown) => {
        sameChain = undefined;
        throw error;
      }));

  /** The receipt of `hash`, or undefined while it has none (unknown, or not mined yet). */
  const receiptOf = (hash: Hash) =>
    client.getTransactionReceipt({ hash }).catch((error: unknown) => {
      if (error instanceof TransactionReceiptNotFoundError) return undefined;
      throw error;
    });
  // Transfers are signed one at a time, each with the next nonce: the node's pending count does not
  // yet hold those signed but not broadcast, so this process counts them itself.
  let signedUpTo = 0;
  const oneAtATime = serially();

  /** Whether the node knows `hash` at all (in its pool, or mined since the receipt was asked for). */
  const known = (hash: Hash) =>
    client.getTransaction({ hash }).then(
      () => true,
      (error: unknown) => {
        if (error instanceof TransactionNotFoundError) return false;
        throw error;
      },
    );

  return {
    marketAddress: wallet?.account.address,

    checkTransfer: ({ hash, from, to, minAmount }) =>
      safely(async () => {
        if (!isHash(hash)) return refused('not_found');
        await onConfiguredChain();
        const receipt = await receiptOf(hash);
        if (receipt === undefined) return refused((await known(hash)) ? 'pending' : 'not_found');
        const head = await client.getBlockNumber();
        return judgeReceipt(receipt, head, { token, from, to, minAmount, confirmations: options.confirmations });
      }),

    signTokenTransfer: (to, amount) =>
      oneAtATime(async () => {
        if (wallet === undefined) throw new Error('chain: sending tokens needs the market key, and none is configured');
        return await safely(async () => {
          // Simulated first, with the token's ABI, so a refusal names its error (an overdraft reads
          // ERC20InsufficientBalance) instead of a bare revert from the gas estimate.
          await client.simulateContract({
            account: wallet.account,
            address: token,
            abi: tokenAbi,
            functionName: 'transfer',
            args: [to, amount],
          });
          const pending = await client.getTransactionCount({ address: wallet.account.address, blockTag: 'pending' });
          const nonce = Math.max(pending, signedUpTo);
          const request = await wallet.prepareTransactionRequest({
            to: token,
            data: encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [to, amount] }),
            nonce,
          });
          const raw = await wallet.signTransaction(request);
          signedUpTo = nonce + 1;
          return { hash: keccak256(raw), raw };
        });
      }),

    broadcast: (raw) =>
      safely(async () => {
        try {
          await client.sendRawTransaction({ serializedTransaction: raw });
        } catch (error) {
          // Already in the pool or mined: the node refuses it again ("already known", "nonce too low").
          if (await known(keccak256(raw))) return;
          throw error;
        }
      }),

    confirmations: (hash) =>
      safely(async () => {
        if (!isHash(hash)) return 0;
        await onConfiguredChain();
        const receipt = await receiptOf(hash);
        if (receipt === undefined || receipt.status === 'reverted') return 0;
        return confirmationsAt(receipt.blockNumber, await client.getBlockNumber());
      }),

    tokenBalance: (address) =>
      safely(async () => {
        await onConfiguredChain();
        return client.readContract({ address: token, abi: tokenAbi, functionName: 'balanceOf', args: [address] });
      }),
  };
}

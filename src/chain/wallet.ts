// A key's dealings with any ERC-20 token on one chain: what another address has approved it to
// take and holds, pulling approved tokens (the storage provider is paid so), and approving a
// spender (Tally's publisher pays a provider so). Each transaction waits for its receipt; what one
// key sends goes out one at a time. A node that fails throws, without its URL.
import { encodeFunctionData, type Hex } from 'viem';
import type { Address } from './addresses.ts';
import type { Hash } from './rail.ts';
import { serially } from '../platform/serially.ts';
import { type EndpointOptions, openEndpoint } from './endpoint.ts';
import { tokenAbi } from './token-abi.ts';

/** A mined transaction: whether it did what it was sent for. */
export interface Mined {
  hash: Hash;
  status: 'success' | 'reverted';
}

/** What pulling tokens came to: taken, or why not (refused before sending, or reverted on the chain). */
export type Pulled =
  | { paid: true; hash: Hash }
  | { paid: false; reason: 'allowance' | 'balance' | 'reverted'; detail: string; hash?: Hash };
type Refusal = Extract<Pulled, { paid: false }>;

export interface TokenWallet {
  address: Address;
  /** Why `amount` of `token` cannot be taken from `owner` (its allowance to this wallet, or its balance), if it can't. */
  cannotPull(token: Address, owner: Address, amount: bigint): Promise<Refusal | undefined>;
  /**
   * Takes `amount` of `token` from `from` (transferFrom), checking the allowance and the balance
   * again just before sending (the owner may have spent or revoked since); `onSent` hears the hash
   * before the receipt is awaited.
   */
  pull(token: Address, from: Address, amount: bigint, onSent: (hash: Hash) => Promise<void>): Promise<Pulled>;
  /** Lets `spender` take up to `amount` of this wallet's `token`. */
  approve(token: Address, spender: Address, amount: bigint): Promise<Mined>;
}

export function tokenWallet(options: EndpointOptions & { privateKey: Hex; whose: string }): TokenWallet {
  // Receipts are awaited: asked for twice a second, not at viem's default of every 4 s.
  const { client, signer, safely } = openEndpoint({ pollingIntervalMs: 500, ...options });
  const wallet = signer(options.privateKey, options.whose);
  const self = wallet.account.address;
  const oneAtATime = serially();

  /** Sends a call of the token from this key and waits for it to be mined (inside the queue). */
  const send = async (
    token: Address,
    data: Hex,
    onSent: (hash: Hash) => Promise<void> = async () => {},
  ): Promise<Mined> => {
    const hash = await wallet.sendTransaction({ to: token, data });
    await onSent(hash);
    const receipt = await client.waitForTransactionReceipt({ hash });
    return { hash, status: receipt.status };
  };

  const cannotPull = (token: Address, owner: Address, amount: bigint): Promise<Refusal | undefined> =>
    safely(async () => {
      const [allowance, balance] = await Promise.all([
        client.readContract({ address: token, abi: tokenAbi, functionName: 'allowance', args: [owner, self] }),
        client.readContract({ address: token, abi: tokenAbi, functionName: 'balanceOf', args: [owner] }),
      ]);
      if (allowance < amount)
        return { paid: false, reason: 'allowance', detail: `allowance ${allowance} is below the quoted ${amount}` };
      if (balance < amount)
        return { paid: false, reason: 'balance', detail: `balance ${balance} is below the quoted ${amount}` };
      return undefined;
    });

  return {
    address: self,
    cannotPull,
    pull: (token, from, amount, onSent) =>
      oneAtATime(async () => {
        const refused = await cannotPull(token, from, amount);
        if (refused !== undefined) return refused;
        const mined = await safely(() =>
          send(
            token,
            encodeFunctionData({ abi: tokenAbi, functionName: 'transferFrom', args: [from, self, amount] }),
            onSent,
          ),
        );
        if (mined.status !== 'success')
          return { paid: false, reason: 'reverted', detail: `transferFrom ${mined.hash} reverted`, hash: mined.hash };
        return { paid: true, hash: mined.hash };
      }),
    approve: (token, spender, amount) =>
      oneAtATime(() =>
        safely(() =>
          send(token, encodeFunctionData({ abi: tokenAbi, functionName: 'approve', args: [spender, amount] })),
        ),
      ),
  };
}

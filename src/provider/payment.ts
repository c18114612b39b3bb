// Taking payment for an upload: the user has approved the provider's wallet for the quoted amount
// of an ERC-20 token; the provider checks the allowance and the balance, then pulls the tokens with
// transferFrom signed by its own key and waits for the receipt. A refusal is an answer (which of
// the 2xx statuses); an endpoint that fails throws, and the caller reports that as its own status.
import { createPublicClient, createWalletClient, defineChain, erc20Abi, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Address } from '../chain/index.ts';

export type PaymentOutcome =
  | { paid: true; hash: string }
  | { paid: false; reason: 'allowance' | 'balance' | 'reverted'; detail: string; hash?: string };

export interface PaymentTaker {
  /** Refuses at once (without sending anything) if the allowance or the balance is too low. */
  precheck(token: Address, from: Address, amount: bigint): Promise<PaymentOutcome | undefined>;
  /** Pulls `amount` from `from`; `onSent` hears the transaction's hash before its receipt is awaited. */
  collect(
    token: Address,
    from: Address,
    amount: bigint,
    onSent: (hash: string) => Promise<void>,
  ): Promise<PaymentOutcome>;
}

export function paymentTaker(options: { rpcUrl: string; chainId: number; privateKey: `0x${string}` }): PaymentTaker {
  const chain = defineChain({
    id: options.chainId,
    name: `chain ${options.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  });
  const transport = http(options.rpcUrl);
  const client = createPublicClient({ chain, transport, pollingInterval: 500, cacheTime: 0 });
  const account = privateKeyToAccount(options.privateKey);
  const wallet = createWalletClient({ account, chain, transport });

  // One transaction at a time from the provider's key: two sent together would take the same nonce.
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const precheck = async (token: Address, from: Address, amount: bigint): Promise<PaymentOutcome | undefined> => {
    const [allowance, balance] = await Promise.all([
      client.readContract({ address: token, abi: erc20Abi, functionName: 'allowance', args: [from, account.address] }),
      client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [from] }),
    ]);
    if (allowance < amount)
      return { paid: false, reason: 'allowance', detail: `allowance ${allowance} is below the quoted ${amount}` };
    if (balance < amount)
      return { paid: false, reason: 'balance', detail: `balance ${balance} is below the quoted ${amount}` };
    return undefined;
  };

  return {
    precheck,
    collect: (token, from, amount, onSent) =>
      oneAtATime(async () => {
        // Checked again just before sending: the user may have spent or revoked since.
        const refused = await precheck(token, from, amount);
        if (refused !== undefined) return refused;
        const hash = await wallet.writeContract({
          address: token,
          abi: erc20Abi,
          functionName: 'transferFrom',
          args: [from, account.address, amount],
        });
        await onSent(hash);
        const receipt = await client.waitForTransactionReceipt({ hash });
        if (receipt.status !== 'success')
          return { paid: false, reason: 'reverted', detail: `transferFrom ${hash} reverted`, hash };
        return { paid: true, hash };
      }),
  };
}

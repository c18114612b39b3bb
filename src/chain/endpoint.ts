// One JSON-RPC endpoint of one EVM chain, as the rail and the token wallet reach it: a reader that
// never reuses a stale height, a signer for a key, and failures without the endpoint's URL.
import { createPublicClient, createWalletClient, defineChain, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { withoutEndpoint } from './rpc-errors.ts';

export interface EndpointOptions {
  rpcUrl: string;
  chainId: number;
  /**
   * How long a chain height read from the node may be reused (viem's polling interval, which is
   * also its cache time). By default it is never reused: a confirmation counts as soon as it exists.
   */
  pollingIntervalMs?: number;
}

export function openEndpoint(options: EndpointOptions) {
  const chain = defineChain({
    id: options.chainId,
    name: `chain ${options.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  });
  const transport = http(options.rpcUrl);
  const client = createPublicClient({
    chain,
    transport,
    pollingInterval: options.pollingIntervalMs,
    // viem otherwise reuses a height for 4 s, and confirmations would lag the chain.
    cacheTime: options.pollingIntervalMs ?? 0,
  });
  return {
    client,
    /** A signer for `privateKey`, whose role (`whose`) names it when the key is bad. */
    signer: (privateKey: Hex, whose: string) =>
      createWalletClient({ account: accountOf(privateKey, whose), chain, transport }),
    /** Runs questions to the node; a failure leaves without the endpoint's URL (rpc-errors.ts). */
    safely: async <T>(work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        throw withoutEndpoint(error, options.rpcUrl);
      }
    },
  };
}

/** A key's account. A bad key is reported without viem's message, which may quote it. */
function accountOf(privateKey: Hex, whose: string) {
  try {
    return privateKeyToAccount(privateKey);
  } catch {
    throw new Error(`chain: the ${whose} key is not a 32-byte secp256k1 private key`);
  }
}

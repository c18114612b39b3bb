// Who signed a message: EIP-191 personal_sign ("\x19Ethereum Signed Message:\n" + length + message),
// what wallets produce for "sign this to prove you hold the address".
import { type Hex, recoverMessageAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Address } from './addresses.ts';

/** r ‖ s ‖ v: 65 bytes, v being 27/28 (or 0/1, which some signers write). */
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;

/** Half the secp256k1 group order: a valid s above it is the mirror image of one below. */
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * The address whose key signed `message`, or undefined if `signature` is not a well-formed
 * signature. A signature with a high s is refused as OpenZeppelin's ECDSA does (EIP-2): from any
 * signature anyone can make its high-s twin, and a caller that keys on a signature (to refuse a
 * replay) must not see one signature twice under two spellings. Every wallet signs with a low s.
 */
export async function recoverMessageSigner(message: string, signature: string): Promise<Address | undefined> {
  if (!SIGNATURE.test(signature)) return undefined;
  if (BigInt(`0x${signature.slice(66, 130)}`) > HALF_ORDER) return undefined;
  try {
    return await recoverMessageAddress({ message, signature: signature as Hex });
  } catch {
    // A bad v, an r or s out of range, or a point off the curve: no signer, not an error to report.
    return undefined;
  }
}

export interface MessageSigner {
  address: Address;
  /** An EIP-191 personal_sign signature of `message`, as a wallet makes it. */
  sign(message: string): Promise<Hex>;
}

/** Signs messages with `privateKey`, as its holder's wallet would. */
export function messageSigner(privateKey: Hex): MessageSigner {
  const account = privateKeyToAccount(privateKey);
  return { address: account.address, sign: (message) => account.signMessage({ message }) };
}

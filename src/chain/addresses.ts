// Addresses as people type them: EIP-55 checksummed, all lowercase, or all uppercase. Tally keeps
// the checksummed form, so two spellings of one address compare equal as strings.
import { getAddress } from 'viem';

/** A 20-byte account or contract address, `0x` and 40 hex digits. */
export type Address = `0x${string}`;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * The EIP-55 form of `text`, or undefined if it is not an address. An all-lowercase or
 * all-uppercase address carries no checksum and is accepted; a mixed-case one carries one (EIP-55)
 * and must match it, since a wrong one means a typing mistake that would send funds to nobody.
 */
export function checksumAddress(text: string): Address | undefined {
  if (!ADDRESS.test(text)) return undefined;
  const digits = text.slice(2);
  const checksummed = getAddress(`0x${digits.toLowerCase()}`);
  const uncased = digits === digits.toLowerCase() || digits === digits.toUpperCase();
  return uncased || checksummed === text ? checksummed : undefined;
}

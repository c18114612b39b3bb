// The digest of an interval's matches that its clearing records in the ledger: anyone holding the
// matches can check them against the sealed log, and `tally check` checks the stored ones with it.
import { createHash } from 'node:crypto';

/** A match as the digest reads it: buyer, seller (null for the grid), Wh, amount in millionths. */
export type DigestedMatch = [buyer: number | null, seller: number | null, wh: number, amount: number];

/** The SHA-256 (hex) of the matches' JSON, in their order. */
export const matchesDigest = (matches: DigestedMatch[]): string =>
  createHash('sha256').update(JSON.stringify(matches)).digest('hex');

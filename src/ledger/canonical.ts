// The bytes an event and a block header are hashed as: JSON with keys sorted at every level and
// no white space, so anyone holding the same data computes the same hash.
import { createHash } from 'node:crypto';
import type { EventView } from './events.ts';
import { canonicalJson } from '../platform/canonical-json.ts';

/** The canonical form lives in platform, shared with Idempotency-Key; the ledger's importers keep this path. */
export { canonicalJson };

/** An event as it is hashed and exported: exactly what GET /api/events shows of it. */
export type SealedEvent = EventView;

export interface BlockHeader {
  height: number;
  size: number;
  root: string;
  previous_hash: string;
  sealed_at: string;
}

/** The hash chaining block n to block n − 1: SHA-256 over the canonical header. */
export const blockHash = (h: BlockHeader): string =>
  createHash('sha256')
    .update(
      canonicalJson({
        height: h.height,
        size: h.size,
        root: h.root,
        previous_hash: h.previous_hash,
        sealed_at: h.sealed_at,
      }),
    )
    .digest('hex');

export const GENESIS_PREVIOUS_HASH = '0'.repeat(64);

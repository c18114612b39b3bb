// Signed requests, as Ocean's client makes them: EIP-191 personal_sign over the text
// "0x" + hex(SHA-256(UTF-8(quoteId + nonce))). Unlike Ocean's backend, the signer must be the
// quote's user, and the nonce must be larger, as a number, than the last one accepted from that user
// on any quote or route; it is stored, with its ledger event, only with the rest of an accepted
// request's changes.
import { createHash } from 'node:crypto';
import { recoverMessageSigner } from '../chain/index.ts';
import { appendEvent } from '../ledger/index.ts';
import type { Db } from '../platform/database.ts';
import { invalid, refused } from './errors.ts';
import { uploader } from './tables.ts';

/** A nonce: a non-negative integer in decimal (up to numeric(78,0)). */
export const NONCE = /^[0-9]{1,78}$/;

/** The text a user signs for a request on `quoteId` (empty for getHistory) with `nonce`. */
export const signedText = (quoteId: string, nonce: string): string =>
  `0x${createHash('sha256')
    .update(quoteId + nonce, 'utf8')
    .digest('hex')}`;

export interface Signed {
  quoteId: string;
  nonce: string;
  signature: string;
}

/**
 * Accepts a signed request by `userAddress` inside `trx`: the signature must recover to that
 * address and the nonce must exceed the user's last; the nonce is then stored and recorded
 * (`uploader.nonce.accepted`, after the row's lock, so a user's events are in the order their
 * nonces were accepted). Throws 403 otherwise, having changed nothing; a caller that refuses later
 * throws and rolls back the nonce and its event too.
 */
export async function acceptSigned(trx: Db, userAddress: string, s: Signed): Promise<void> {
  if (!NONCE.test(s.nonce)) throw invalid('nonce must be a non-negative integer');
  const signer = await recoverMessageSigner(signedText(s.quoteId, s.nonce), s.signature);
  if (signer === undefined || signer.toLowerCase() !== userAddress.toLowerCase())
    throw refused('the signature is not the user’s');
  const nonce = BigInt(s.nonce);
  const user = userAddress.toLowerCase();
  const stored = await uploader(trx)
    .insertInto('uploader_nonces')
    .values({ user_address: user, last_nonce: nonce })
    .onConflict((oc) =>
      oc
        .column('user_address')
        .doUpdateSet({ last_nonce: nonce })
        .where('uploader_nonces.last_nonce', '<', nonce.toString()),
    )
    .returning('user_address')
    .executeTakeFirst();
  if (stored === undefined) throw refused('nonce must be greater than the last one accepted from this user');
  await appendEvent(trx, {
    type: 'uploader.nonce.accepted',
    subject_type: 'uploader_user',
    subject_id: user,
    actor_id: null,
    payload: { user_address: user, last_nonce: nonce.toString() },
  });
}

/** The least nonce a signed request by `userAddress` may carry now: one past the last accepted. */
export async function nextNonce(db: Db, userAddress: string): Promise<string> {
  const row = await uploader(db)
    .selectFrom('uploader_nonces')
    .select('last_nonce')
    .where('user_address', '=', userAddress.toLowerCase())
    .executeTakeFirst();
  return row === undefined ? '1' : (BigInt(row.last_nonce) + 1n).toString();
}

// Signed heads, as Certificate Transparency signs its tree heads: each block's head (its height,
// its block hash, which chains to every block before it, the events in the log so far and when it
// was sealed) is signed with an Ed25519 key. A head kept by a reader anchors everything before it:
// a later export must hold that block unchanged, so a rewrite or a truncation shows.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { Db } from '../platform/database.ts';
import { conflict } from '../platform/errors.ts';
import { settingOrCreate } from '../platform/settings.ts';
import { canonicalJson } from './canonical.ts';
import { ledger, type HeadRow } from './tables.ts';

export interface SignedHead {
  height: number;
  block_hash: string;
  /** Events in the whole log up to and including this block. */
  size: number;
  /** The block's sealed_at. */
  timestamp: string;
  key_id: string;
  /** Ed25519 over `headMessage`, base64. */
  signature: string;
}

export interface LedgerKey {
  key_id: string;
  algorithm: 'Ed25519';
  public_key: string;
  added_at: string;
}

/** The bytes a head's signature covers: the canonical JSON of its height, block_hash, size and timestamp. */
export const headMessage = (h: Pick<SignedHead, 'height' | 'block_hash' | 'size' | 'timestamp'>): Buffer =>
  Buffer.from(
    canonicalJson({ height: h.height, block_hash: h.block_hash, size: h.size, timestamp: h.timestamp }),
    'utf8',
  );

/** A public key's id: SHA-256 of its DER SubjectPublicKeyInfo, hex, as RFC 6962 names a log by its key. */
export const keyId = (publicKey: KeyObject): string =>
  createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');

export interface Signer {
  keyId: string;
  privateKey: KeyObject;
}

const newSigningKey = (): string =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/**
 * The key signing heads: the configured one, or one generated once and shared through the
 * database like the JWT secret. Its public half is listed from its first use on and never
 * removed, so heads signed before a rotation still verify.
 */
export async function ledgerSigner(db: Db, configured: KeyObject | undefined): Promise<Signer> {
  const privateKey = configured ?? createPrivateKey(await settingOrCreate(db, 'ledger_signing_key', newSigningKey));
  const publicKey = createPublicKey(privateKey);
  const id = keyId(publicKey);
  await ledger(db)
    .insertInto('ledger_keys')
    .values({ key_id: id, public_key: publicKey.export({ type: 'spki', format: 'pem' }).toString() })
    .onConflict((oc) => oc.column('key_id').doNothing())
    .execute();
  return { keyId: id, privateKey };
}

/**
 * Signs the head of every block that has none, oldest first: the blocks just sealed, and once
 * after an upgrade the blocks sealed before heads were signed. Returns how many it signed.
 */
export async function signHeads(trx: Db, signerFor: () => Promise<Signer>): Promise<number> {
  const last = await ledger(trx)
    .selectFrom('ledger_heads')
    .select(['height', 'size'])
    .orderBy('height', 'desc')
    .limit(1)
    .executeTakeFirst();
  const blocks = await ledger(trx)
    .selectFrom('ledger_blocks')
    .select(['height', 'size', 'block_hash', 'sealed_at'])
    .where('height', '>', last?.height ?? 0)
    .orderBy('height')
    .execute();
  // Most ticks seal nothing: the key is read (and listed) only when there is a head to sign.
  if (blocks.length === 0) return 0;
  const signer = await signerFor();
  let size = last?.size ?? 0;
  const heads = blocks.map((b) => {
    size += b.size;
    const message = headMessage({
      height: b.height,
      block_hash: b.block_hash,
      size,
      timestamp: b.sealed_at.toISOString(),
    });
    return {
      height: b.height,
      block_hash: b.block_hash,
      size,
      timestamp: b.sealed_at,
      key_id: signer.keyId,
      signature: sign(null, message, signer.privateKey).toString('base64'),
    };
  });
  await ledger(trx).insertInto('ledger_heads').values(heads).execute();
  return heads.length;
}

const heads = (db: Db) => ledger(db).selectFrom('ledger_heads').selectAll();
const headView = (h: HeadRow): SignedHead => ({ ...h, timestamp: h.timestamp.toISOString() });

export async function headAt(db: Db, height: number): Promise<SignedHead | undefined> {
  const row = await heads(db).where('height', '=', height).executeTakeFirst();
  return row && headView(row);
}

/** The newest signed head; 409 while nothing is sealed and signed yet. */
export async function latestHead(db: Db): Promise<SignedHead> {
  const row = await heads(db).orderBy('height', 'desc').limit(1).executeTakeFirst();
  if (!row) throw conflict('not_sealed', 'no block is sealed and signed yet; the sealer signs each block it seals');
  return headView(row);
}

export async function listKeys(db: Db): Promise<LedgerKey[]> {
  const rows = await ledger(db).selectFrom('ledger_keys').selectAll().orderBy('added_at').orderBy('key_id').execute();
  return rows.map((k) => ({
    key_id: k.key_id,
    algorithm: 'Ed25519',
    public_key: k.public_key,
    added_at: k.added_at.toISOString(),
  }));
}

/** Public keys by id, for checking signatures away from the server. */
export type KeyRing = ReadonlyMap<string, KeyObject>;

/** The ring of PEM public keys (SubjectPublicKeyInfo), each under the id computed from it, not a claimed one. */
export const keyRing = (pems: readonly string[]): KeyRing =>
  new Map(
    pems.map((pem) => {
      const key = createPublicKey(pem);
      return [keyId(key), key] as const;
    }),
  );

/** What is wrong with a head's signature, or undefined when one of `keys` made it. */
export function signatureProblem(head: SignedHead, keys: KeyRing): string | undefined {
  const key = keys.get(head.key_id);
  if (!key) return `its head is signed by key ${head.key_id}, which is not among the known keys`;
  let valid = false;
  try {
    valid = verify(null, headMessage(head), key, Buffer.from(head.signature, 'base64'));
  } catch {
    // A malformed signature is simply not valid.
  }
  return valid ? undefined : `its head's signature does not verify with key ${head.key_id}`;
}

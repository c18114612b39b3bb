// RFC 6962 / RFC 9162 inclusion proofs checked in the browser with Web Crypto, so a visitor need not
// trust the server's own verdict: the leaf is hashed up through the sibling path and compared with
// the root of the block (fetched on its own). The same algorithm as the server's
// src/ledger/merkle.ts (RFC 9162 §2.1.3.2); test/web/proof.unit.test.ts checks both agree.

const NODE = Uint8Array.of(1);

export function fromHex(hex: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error(`not hexadecimal: ${hex}`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256(NODE, left, right);

export interface InclusionProof {
  leaf_index: number;
  tree_size: number;
  leaf_hash: string;
  path: string[];
}

/** The root the proof leads to from its leaf, or undefined when the proof cannot be followed. */
export async function rootOf(proof: InclusionProof): Promise<string | undefined> {
  const { leaf_index: index, tree_size: size } = proof;
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = fromHex(proof.leaf_hash);
  for (const sibling of proof.path.map(fromHex)) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(sibling, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? toHex(r) : undefined;
}

/** True when the proof leads from its leaf to `root` (the block's, as published). */
export async function verifyInclusion(proof: InclusionProof, root: string): Promise<boolean> {
  return (await rootOf(proof)) === root.toLowerCase();
}

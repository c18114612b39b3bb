// The browser's proof check (web/src/ledger/proof.ts, Web Crypto) against the server's Merkle tree
// (src/ledger/merkle.ts): for any tree and leaf, the server's inclusion path leads the browser to the
// server's root, and a path with any bit of any hash flipped, or the wrong leaf index, does not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inclusionPath, leafHash, treeHash } from '../../src/ledger/merkle.ts';
import { rootOf, verifyInclusion } from '../../web/src/ledger/proof.ts';

const tree = fc
  .array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 70 })
  .chain((entries) => fc.tuple(fc.constant(entries.map(leafHash)), fc.nat({ max: entries.length - 1 })));

const proofOf = (leaves: Buffer[], index: number) => ({
  leaf_index: index,
  tree_size: leaves.length,
  leaf_hash: leaves[index]!.toString('hex'),
  path: inclusionPath(leaves, index).map((h) => h.toString('hex')),
});

describe('inclusion proofs checked in the browser', () => {
  it("leads every leaf of every tree to the server's root", async () => {
    await fc.assert(
      fc.asyncProperty(tree, async ([leaves, index]) => {
        const root = treeHash(leaves).toString('hex');
        expect(await rootOf(proofOf(leaves, index))).toBe(root);
        expect(await verifyInclusion(proofOf(leaves, index), root.toUpperCase())).toBe(true);
      }),
    );
  });

  it('refuses a path with a flipped bit, and a proof for another leaf index', async () => {
    await fc.assert(
      fc.asyncProperty(tree, fc.nat(), fc.nat({ max: 255 }), async ([leaves, index], pick, bit) => {
        const root = treeHash(leaves).toString('hex');
        const proof = proofOf(leaves, index);
        if (proof.path.length > 0) {
          const at = pick % proof.path.length;
          const bytes = Buffer.from(proof.path[at]!, 'hex');
          bytes[bit % 32]! ^= 1 << (bit % 8);
          const altered = { ...proof, path: proof.path.map((h, i) => (i === at ? bytes.toString('hex') : h)) };
          expect(await verifyInclusion(altered, root)).toBe(false);
        }
        if (leaves.length > 1) {
          const other = (index + 1 + (pick % (leaves.length - 1))) % leaves.length;
          expect(await verifyInclusion({ ...proof, leaf_index: other }, root)).toBe(false);
        }
        expect(await verifyInclusion({ ...proof, tree_size: 0 }, root)).toBe(false);
      }),
    );
  });
});

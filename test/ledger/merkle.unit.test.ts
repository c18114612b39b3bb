// The Merkle tree against RFC 6962's definition and its own proofs, for every tree size and leaf.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inclusionPath, leafHash, treeHash, verifyInclusion } from '../../src/ledger/merkle.ts';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaves = (n: number) => Array.from({ length: n }, (_, k) => leafHash(Buffer.from(`entry ${k}`)));

describe('RFC 6962 Merkle tree', () => {
  it('hashes the empty tree, one leaf and small trees as the RFC defines', () => {
    expect(treeHash([]).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const [a, b, c] = leaves(3) as [Buffer, Buffer, Buffer];
    expect(leafHash(Buffer.from('entry 0'))).toEqual(sha(Buffer.of(0), Buffer.from('entry 0')));
    expect(treeHash([a])).toEqual(a);
    expect(treeHash([a, b])).toEqual(sha(Buffer.of(1), a, b));
    // Three leaves split 2 + 1: the left subtree is the largest power of two below 3.
    expect(treeHash([a, b, c])).toEqual(sha(Buffer.of(1), sha(Buffer.of(1), a, b), c));
  });

  it('proves every leaf of every tree up to 40 leaves, and refuses a wrong leaf, index or root', () => {
    for (let n = 1; n <= 40; n++) {
      const ls = leaves(n);
      const root = treeHash(ls);
      for (let m = 0; m < n; m++) {
        const path = inclusionPath(ls, m);
        expect(verifyInclusion(ls[m]!, m, n, path, root)).toBe(true);
        expect(verifyInclusion(leafHash(Buffer.from('forged')), m, n, path, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(ls[m]!, (m + 1) % n, n, path, root)).toBe(false);
        expect(verifyInclusion(ls[m]!, m, n, path, sha(Buffer.from('other root')))).toBe(false);
      }
    }
  });

  it('never accepts a proof with a flipped byte (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 31 }),
        (n, mi, pi, byte) => {
          const ls = leaves(n);
          const m = mi % n;
          const path = inclusionPath(ls, m);
          const broken = path.map((p) => Buffer.from(p));
          broken[pi % broken.length]![byte]! ^= 0xff;
          expect(verifyInclusion(ls[m]!, m, n, broken, treeHash(ls))).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});

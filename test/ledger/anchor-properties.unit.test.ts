// Properties of verifying against an anchor, over any log: a rewrite of any one event that
// re-hashes its block and every later one passes the chain check alone, yet is named exactly
// against the export kept before; any cut is named; any honest extension passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anchorFrom } from '../../src/ledger/anchors.ts';
import { blockHash, GENESIS_PREVIOUS_HASH, type SealedEvent } from '../../src/ledger/canonical.ts';
import { treeHash } from '../../src/ledger/merkle.ts';
import { eventLeafHash, type ExportedBlock } from '../../src/ledger/seal.ts';
import { verifyExport, type VerifyOptions } from '../../src/ledger/verify.ts';

/** A log of blocks of `sizes` events, sealed as the sealer would; `forge` changes one event's payload first. */
function sealedLog(sizes: readonly number[], forge?: { block: number; leaf: number }): ExportedBlock[] {
  let previous = GENESIS_PREVIOUS_HASH;
  let id = 0;
  return sizes.map((size, k) => {
    const events: SealedEvent[] = Array.from({ length: size }, (_, leaf) => {
      id++;
      const forged = forge?.block === k + 1 && forge.leaf === leaf;
      return {
        id,
        type: 'certificates.issued',
        subject_type: 'device',
        subject_id: '1',
        account_ids: [1],
        actor_id: null,
        payload: { wh: forged ? id + 1 : id },
        recorded_at: '2026-06-01T00:00:00.000Z',
      };
    });
    const leaf_hashes = events.map((e) => eventLeafHash(e).toString('hex'));
    const header = {
      height: k + 1,
      size,
      root: treeHash(leaf_hashes.map((h) => Buffer.from(h, 'hex'))).toString('hex'),
      previous_hash: previous,
      sealed_at: `2026-06-01T0${k % 10}:00:00.000Z`,
    };
    previous = blockHash(header);
    return { block: { ...header, block_hash: previous }, events, leaf_hashes };
  });
}

const text = (log: ExportedBlock[]) => log.map((b) => JSON.stringify(b)).join('\n');
const verify = (log: ExportedBlock[], opts?: VerifyOptions) =>
  verifyExport(
    (async function* () {
      yield* text(log).split('\n');
    })(),
    opts,
  );
const sizes = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 });

describe('an anchored export', () => {
  it('names the rewritten block and event, though the re-hashed chain verifies alone', async () => {
    const forgery = sizes.chain((s) =>
      fc.integer({ min: 1, max: s.length }).chain((block) =>
        fc.record({
          sizes: fc.constant(s),
          block: fc.constant(block),
          leaf: fc.integer({ min: 0, max: s[block - 1]! - 1 }),
        }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(forgery, async ({ sizes: s, block, leaf }) => {
        const old = sealedLog(s);
        const forged = sealedLog(s, { block, leaf });
        expect((await verify(forged)).break).toBeUndefined();
        const eventId = old[block - 1]!.events[leaf]!.id;
        const report = await verify(forged, { anchors: [anchorFrom(text(old), 'OLD', undefined)] });
        expect(report.break).toBe(`block ${block} differs from OLD: root, leaf ${leaf} (event ${eventId}) changed`);
        expect(report.blocks).toBe(block - 1);
      }),
    );
  });

  it('names a cut, and passes an honest extension', async () => {
    const cases = fc
      .tuple(sizes, sizes)
      .chain(([s, more]) =>
        fc.record({ sizes: fc.constant(s), more: fc.constant(more), keep: fc.integer({ min: 0, max: s.length - 1 }) }),
      );
    await fc.assert(
      fc.asyncProperty(cases, async ({ sizes: s, more, keep }) => {
        const old = sealedLog(s);
        const anchor = anchorFrom(text(old), 'OLD', undefined);
        const cut = await verify(old.slice(0, keep), { anchors: [anchor] });
        expect(cut.break).toBe(
          `the export ends at block ${keep}, but OLD reaches block ` +
            `${s.length}: blocks ${keep + 1}–${s.length} are missing`,
        );
        const extended = await verify(sealedLog([...s, ...more]), { anchors: [anchor] });
        expect(extended).toEqual({
          blocks: s.length + more.length,
          events: [...s, ...more].reduce((a, n) => a + n, 0),
          signed: 0,
        });
      }),
    );
  });
});

// Offline verification of an exported ledger: recompute every leaf, root and block hash, follow the
// chain, match each signed head to its block and, given keys, check its signature. Given an anchor
// (an earlier export or a signed head the reader kept), the export must also hold the anchored
// blocks unchanged and reach the last of them: what catches a rewrite of the whole chain or a cut.
import { blockHash, GENESIS_PREVIOUS_HASH } from './canonical.ts';
import { signatureProblem, type KeyRing, type SignedHead } from './heads.ts';
import { treeHash } from './merkle.ts';
import { eventLeafHash, type ExportedBlock } from './seal.ts';

export interface VerifyReport {
  blocks: number;
  events: number;
  /** Blocks whose signed head was checked against a known key. */
  signed: number;
  break?: string;
}

/** A block as the anchor saw it; an earlier export also knows its header and leaves, to name what changed. */
export interface AnchoredBlock {
  height: number;
  block_hash: string;
  size?: number;
  earlier?: Pick<ExportedBlock, 'block' | 'leaf_hashes'> & { event_ids: number[] };
}

export interface Anchor {
  /** How the output names it: `the signed head`, `OLD (old.ndjson)`. */
  name: string;
  blocks: ReadonlyMap<number, AnchoredBlock>;
  /** The highest anchored block: the export must reach it. */
  height: number;
}

export interface VerifyOptions {
  /** Keys to check signed heads with; without them a head is matched to its block but its signature is not checked. */
  keys?: KeyRing | undefined;
  /** Blocks the export must hold unchanged: an earlier export's, a saved head's, the server's head. */
  anchors?: readonly Anchor[];
}

/** Checks one exported block against its predecessor's hash; returns what is wrong, or undefined. */
function checkBlock(entry: ExportedBlock, height: number, previous: string): string | undefined {
  const { block, events, leaf_hashes: sealed } = entry;
  const at = `block ${block.height}`;
  if (block.height !== height) return `${at}: expected block ${height}`;
  if (block.previous_hash !== previous) return `${at}: previous_hash does not match block ${height - 1}'s hash`;
  if (blockHash(block) !== block.block_hash) return `${at}: block_hash does not match its header`;
  if (events.length !== block.size || sealed.length !== block.size)
    return `${at}: holds ${events.length} events, its header says ${block.size}`;
  if (treeHash(sealed.map((h) => Buffer.from(h, 'hex'))).toString('hex') !== block.root)
    return `${at}: its leaf hashes do not hash to its Merkle root`;
  const changed = events.findIndex((e, k) => eventLeafHash(e).toString('hex') !== sealed[k]);
  if (changed >= 0)
    return (
      `${at}: event ${events[changed]!.id} (leaf ${changed}) does not hash ` +
      'to the leaf sealed for it: it was changed after sealing'
    );
  return undefined;
}

/** Checks a block's signed head: it must describe this block and the log up to it, and be signed by a known key. */
function checkHead(
  head: SignedHead,
  block: ExportedBlock['block'],
  size: number,
  keys: KeyRing | undefined,
): string | undefined {
  const claimed = { height: block.height, block_hash: block.block_hash, size, timestamp: block.sealed_at };
  const wrong = (Object.keys(claimed) as (keyof typeof claimed)[]).filter((k) => head[k] !== claimed[k]);
  if (wrong.length) return `block ${block.height}: its signed head does not match the block (${wrong.join(', ')})`;
  const problem = keys && signatureProblem(head, keys);
  return problem && `block ${block.height}: ${problem}`;
}

/** Compares a block with what the anchor recorded of it; names what differs, or undefined. */
function checkAnchored(entry: ExportedBlock, size: number, want: AnchoredBlock, anchor: string): string | undefined {
  const { block, leaf_hashes } = entry;
  if (block.block_hash === want.block_hash && (want.size === undefined || want.size === size)) return undefined;
  const at = `block ${block.height} differs from ${anchor}`;
  if (block.block_hash === want.block_hash)
    return `${at}: the log holds ${size} events up to it, ${anchor} says ${want.size}`;
  if (!want.earlier) return `${at}: its block_hash is ${block.block_hash}, ${anchor} has ${want.block_hash}`;
  const { block: was, leaf_hashes: leaves, event_ids } = want.earlier;
  const fields = (['root', 'size', 'previous_hash', 'sealed_at'] as const).filter((f) => block[f] !== was[f]);
  const leaf = leaves.findIndex((h, k) => leaf_hashes[k] !== h);
  const what = [...fields, ...(leaf >= 0 ? [`leaf ${leaf} (event ${event_ids[leaf]})`] : [])];
  return `${at}: ${what.join(', ')} changed`;
}

/**
 * Every block is signed when it is sealed (blocks sealed before signing began get their heads on
 * the next run), so a head never goes missing: once one was seen, or when keys were given to check
 * them, a block without one is a rewrite that dropped the signatures it could not forge.
 */
function missingHead(height: number, headsSeen: boolean, keys: KeyRing | undefined): string | undefined {
  if (headsSeen) return `block ${height} has no signed head, though the blocks before it have`;
  if (keys && keys.size > 0) return `block ${height} has no signed head to check against the known keys`;
  return undefined;
}

export async function verifyExport(lines: AsyncIterable<string>, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const { keys, anchors = [] } = opts;
  let previous = GENESIS_PREVIOUS_HASH;
  let blocks = 0,
    events = 0,
    signed = 0,
    sawHead = false;
  const report = (problem?: string): VerifyReport => ({
    blocks,
    events,
    signed,
    ...(problem !== undefined && { break: problem }),
  });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let entry: ExportedBlock;
    try {
      entry = JSON.parse(line) as ExportedBlock;
    } catch {
      return report(`line ${blocks + 1} is not JSON`);
    }
    const size = events + entry.events.length;
    const problem =
      checkBlock(entry, blocks + 1, previous) ??
      (entry.head ? checkHead(entry.head, entry.block, size, keys) : missingHead(entry.block.height, sawHead, keys)) ??
      anchors
        .map((a) => {
          const want = a.blocks.get(blocks + 1);
          return want && checkAnchored(entry, size, want, a.name);
        })
        .find(Boolean);
    if (problem) return report(problem);
    if (entry.head && keys) signed++;
    if (entry.head) sawHead = true;
    previous = entry.block.block_hash;
    blocks++;
    events = size;
  }
  const cut = anchors.find((a) => a.height > blocks);
  if (cut)
    return report(
      `the export ends at block ${blocks}, but ${cut.name} reaches block ` +
        `${cut.height}: blocks ${blocks + 1}–${cut.height} are missing`,
    );
  return report();
}

// Offline verification of an exported ledger: recompute every leaf, root and block hash and
// follow the chain. Needs nothing but the export.
import { blockHash, GENESIS_PREVIOUS_HASH } from './canonical.ts';
import { treeHash } from './merkle.ts';
import { eventLeafHash, type ExportedBlock } from './seal.ts';

export interface VerifyReport { blocks: number; events: number; break?: string }

/** Checks one exported block against its predecessor's hash; returns what is wrong, or undefined. */
function checkBlock(entry: ExportedBlock, height: number, previous: string): string | undefined {
  const { block, events, leaf_hashes: sealed } = entry;
  const at = `block ${block.height}`;
  if (block.height !== height) return `${at}: expected block ${height}`;
  if (block.previous_hash !== previous) return `${at}: previous_hash does not match block ${height - 1}'s hash`;
  if (blockHash(block) !== block.block_hash) return `${at}: block_hash does not match its header`;
  if (events.length !== block.size || sealed.length !== block.size) return `${at}: holds ${events.length} events, its header says ${block.size}`;
  if (treeHash(sealed.map((h) => Buffer.from(h, 'hex'))).toString('hex') !== block.root) return `${at}: its leaf hashes do not hash to its Merkle root`;
  const changed = events.findIndex((e, k) => eventLeafHash(e).toString('hex') !== sealed[k]);
  if (changed >= 0) return `${at}: event ${events[changed]!.id} (leaf ${changed}) does not hash to the leaf sealed for it: it was changed after sealing`;
  return undefined;
}

export async function verifyExport(lines: AsyncIterable<string>): Promise<VerifyReport> {
  let previous = GENESIS_PREVIOUS_HASH;
  let blocks = 0, events = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    let entry: ExportedBlock;
    try {
      entry = JSON.parse(line) as ExportedBlock;
    } catch {
      return { blocks, events, break: `line ${blocks + 1} is not JSON` };
    }
    const problem = checkBlock(entry, blocks + 1, previous);
    if (problem) return { blocks, events, break: problem };
    previous = entry.block.block_hash;
    blocks++;
    events += entry.events.length;
  }
  return { blocks, events };
}

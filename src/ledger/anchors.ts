// What an export is anchored to: a signed head (the server's, or one a reader saved) or an
// earlier export. `tally ledger verify NEW --since OLD` proves NEW holds OLD's blocks unchanged.
import { readFile } from 'node:fs/promises';
import { signatureProblem, type KeyRing, type SignedHead } from './heads.ts';
import type { ExportedBlock } from './seal.ts';
import type { Anchor, AnchoredBlock } from './verify.ts';

const badInput = (message: string) => Object.assign(new Error(message), { status: 400 });

export const headAnchor = (head: SignedHead, name: string): Anchor => ({
  name,
  height: head.height,
  blocks: new Map([[head.height, { height: head.height, block_hash: head.block_hash, size: head.size }]]),
});

const isHead = (value: unknown): value is SignedHead =>
  typeof value === 'object' && value !== null && 'signature' in value && 'block_hash' in value && !('block' in value);

/**
 * OLD as text: a saved head (one JSON object, as GET /api/ledger/head answers; its signature is
 * checked when keys are known) or an earlier export (one block a line). `name` is how the output
 * names it.
 */
export function anchorFrom(text: string, name: string, keys: KeyRing | undefined): Anchor {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    // More than one line: an export.
  }
  if (isHead(whole)) {
    const problem = keys && signatureProblem(whole, keys);
    if (problem) throw badInput(`--since: ${name}: ${problem}`);
    return headAnchor(whole, name);
  }
  const blocks = new Map<number, AnchoredBlock>();
  let height = 0;
  for (const [k, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let entry: ExportedBlock;
    try {
      entry = JSON.parse(line) as ExportedBlock;
    } catch {
      throw badInput(`--since: line ${k + 1} of ${name} is not JSON`);
    }
    const { block, leaf_hashes } = entry;
    blocks.set(block.height, {
      height: block.height,
      block_hash: block.block_hash,
      earlier: { block, leaf_hashes, event_ids: entry.events.map((e) => e.id) },
    });
    height = Math.max(height, block.height);
  }
  return { name, blocks, height };
}

export const readAnchor = async (file: string, keys: KeyRing | undefined): Promise<Anchor> =>
  anchorFrom(await readFile(file, 'utf8'), `OLD (${file})`, keys);

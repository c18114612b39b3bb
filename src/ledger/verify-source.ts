// How `tally ledger verify` checks a source: the keys and anchors that apply to an export file, to
// a server's export URL or to this database, then the export itself.
import { readFile } from 'node:fs/promises';
import type { Db } from '../platform/database.ts';
import { headAnchor, readAnchor } from './anchors.ts';
import { keyRing, listKeys, signatureProblem, type KeyRing, type LedgerKey, type SignedHead } from './heads.ts';
import { exportBlocks } from './seal.ts';
import { besideExport, exportLines, isUrl } from './sources.ts';
import { verifyExport, type Anchor, type VerifyReport } from './verify.ts';

export interface VerifyRequest {
  /** OLD: an earlier export or a saved signed head the source must extend unchanged. */
  since?: string | undefined;
  /** A PEM public key file to check heads with, instead of the keys the source's server lists. */
  key?: string | undefined;
  /** Authorises an export URL. */
  token?: string | undefined;
}

export interface SourceReport extends VerifyReport {
  anchors: Anchor[];
}

async function keyFile(file: string): Promise<KeyRing> {
  try {
    return keyRing([await readFile(file, 'utf8')]);
  } catch {
    throw Object.assign(new Error(`--key: ${file} is not a readable PEM public key`), { status: 400 });
  }
}

/**
 * The keys heads are checked with: the one given, else the server's or this database's list.
 * A file alone brings none: its heads are matched to their blocks, their signatures unchecked.
 */
async function keysFor(
  source: string | Db,
  url: string | undefined,
  key: string | undefined,
): Promise<KeyRing | undefined> {
  if (key) return keyFile(key);
  if (url)
    return keyRing(((await besideExport<{ items: LedgerKey[] }>(url, 'keys'))?.items ?? []).map((k) => k.public_key));
  if (typeof source !== 'string') return keyRing((await listKeys(source)).map((k) => k.public_key));
  return undefined;
}

/** Verifies `source` (an export file, an export URL, or this database); `break` names the first problem. */
export async function verifySource(source: string | Db, req: VerifyRequest = {}): Promise<SourceReport> {
  const url = typeof source === 'string' && isUrl(source) ? source : undefined;
  const keys = await keysFor(source, url, req.key);
  const anchors: Anchor[] = req.since ? [await readAnchor(req.since, keys)] : [];
  // The server's head is read before its export, so the export must reach at least that far.
  const head = url && (await besideExport<SignedHead>(url, 'head'));
  if (head) {
    const problem = signatureProblem(head, keys ?? new Map());
    if (problem)
      return {
        blocks: 0,
        events: 0,
        signed: 0,
        break: `the server's signed head (block ${head.height}): ${problem}`,
        anchors,
      };
    anchors.push(headAnchor(head, "the server's signed head"));
  }
  const lines =
    typeof source === 'string'
      ? exportLines(source, req.token)
      : (async function* () {
          for await (const entry of exportBlocks(source)) yield JSON.stringify(entry);
        })();
  return { ...(await verifyExport(lines, { keys, anchors })), anchors };
}

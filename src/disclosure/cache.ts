// Disclosure datasets are public and cost a scan of a year of readings and claims, so each is
// computed once per version of the ledger's state (ledger/version.ts) and kept in this process,
// with an ETag per representation: a client revalidating an unchanged dataset gets 304.
import { createHash } from 'node:crypto';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/database.ts';
import { processCounter } from '../platform/metrics.ts';
import { stateVersion } from '../ledger/index.ts';
import { disclosureCsv, disclosureDataset } from './disclosures.ts';
import type { DisclosureDataset } from './schemas.ts';

/** Datasets kept at once; the oldest computed leaves first. */
const KEPT = 256;

/** Each dataset computed rather than served from the cache: its rate against requests is the cache's miss rate. */
const computed = processCounter(
  'tally_disclosure_computations_total',
  'Disclosure datasets this process computed (a request the cache could not answer)',
);

export interface CachedDataset {
  json: DisclosureDataset;
  /** The JSON as sent: a year is 8,760 hours, written once per version rather than once per request. */
  text: () => string;
  csv: () => string;
  etag: (kind: 'json' | 'csv') => string;
}
interface Entry extends CachedDataset {
  version: string;
}

export function disclosureCache(clock: Clock): (db: Db, id: string) => Promise<CachedDataset> {
  const entries = new Map<string, Entry>();
  return async (db, id) => {
    // Read before computing: a change landing during the computation then moves the version past this entry.
    const version = await stateVersion(db);
    const kept = entries.get(id);
    if (kept?.version === version) return kept;
    const json = await disclosureDataset(db, id, clock.now());
    computed.inc();
    const tag = createHash('sha256').update(`${id}\n${version}`).digest('base64url').slice(0, 22);
    let csv: string | undefined;
    let text: string | undefined;
    const entry: Entry = {
      version,
      json,
      text: () => (text ??= JSON.stringify(json)),
      csv: () => (csv ??= disclosureCsv(json)),
      etag: (kind) => `"${tag}-${kind}"`,
    };
    entries.delete(id);
    entries.set(id, entry);
    if (entries.size > KEPT) entries.delete(entries.keys().next().value!);
    return entry;
  };
}

/** Whether an If-None-Match header names `etag` (or is `*`); weak tags compare by their value. */
export function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

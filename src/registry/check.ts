// The invariant checker behind `tally check`: it proves, from the database alone, that no Wh was
// lost, duplicated or overlapped, and that the event log rebuilds the current bundles exactly.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';
import { streamEvents } from '../ledger/index.ts';
import { bundleView, type BundleView } from './bundles.ts';
import { checkAccess } from './check-access.ts';
import { checkImports } from './check-imports.ts';
import { checkMetered } from './check-metered.ts';
import { checkStandingOrders } from './check-standing-orders.ts';
import { issuedViews, type IssuedEvent } from './issuance.ts';
import { registry, type BundleRow } from './tables.ts';

const LIMIT = 20;

async function overlappingRanges(db: Db): Promise<Violation[]> {
  // Ids are a device's, or an imported origin record's (one of the two is null).
  const rows = await sql<{
    device_id: number | null;
    imported_issuance_id: number | null;
    id: number;
    prev_id: number;
  }>`
    SELECT device_id, imported_issuance_id, id, prev_id FROM (
      SELECT device_id, imported_issuance_id, id, certificate_bundle_id_range_start AS s,
             lag(certificate_bundle_id_range_end) OVER w AS prev_end, lag(id) OVER w AS prev_id
      FROM bundles
      WINDOW w AS (PARTITION BY device_id, imported_issuance_id ORDER BY certificate_bundle_id_range_start)) t
    WHERE prev_end >= s LIMIT ${LIMIT}`.execute(db);
  return rows.rows.map((r) => ({
    rule: 'ranges_disjoint',
    detail: `${r.device_id === null ? `imported issuance ${r.imported_issuance_id}` : `device ${r.device_id}`}: bundles ${r.prev_id} and ${r.id} overlap`,
  }));
}

async function quantitiesAddUp(db: Db): Promise<Violation[]> {
  const rows = await sql<{
    id: number;
    issued: number;
    held: number | null;
    lo: number | null;
    hi: number | null;
    rs: number;
    re: number;
  }>`
    SELECT i.id, i.bundle_quantity AS issued, sum(b.bundle_quantity)::bigint AS held,
           min(b.certificate_bundle_id_range_start) AS lo, max(b.certificate_bundle_id_range_end) AS hi,
           i.certificate_bundle_id_range_start AS rs, i.certificate_bundle_id_range_end AS re
    FROM issuances i LEFT JOIN bundles b ON b.issuance_id = i.id
    GROUP BY i.id
    HAVING sum(b.bundle_quantity) IS DISTINCT FROM i.bundle_quantity
        OR min(b.certificate_bundle_id_range_start) IS DISTINCT FROM i.certificate_bundle_id_range_start
        OR max(b.certificate_bundle_id_range_end) IS DISTINCT FROM i.certificate_bundle_id_range_end
    LIMIT ${LIMIT}`.execute(db);
  return rows.rows.map((r) => ({
    rule: 'quantities_conserved',
    detail:
      `issuance ${r.id} issued ${r.issued} Wh as ids ${r.rs}–${r.re}; ` +
      `its bundles hold ${r.held ?? 0} Wh as ids ${r.lo ?? '?'}–${r.hi ?? '?'}`,
  }));
}

async function intervalsAtMostAnHour(db: Db): Promise<Violation[]> {
  const rows = await sql<{ id: number }>`
    SELECT id FROM bundles
    WHERE production_ending_interval <= production_starting_interval
       OR production_ending_interval - production_starting_interval > interval '1 hour'
    LIMIT ${LIMIT}`.execute(db);
  return rows.rows.map((r) => ({
    rule: 'interval_at_most_one_hour',
    detail: `bundle ${r.id} has an interval that is empty or longer than one hour`,
  }));
}

/** Each device issuance names a metadata version of its own device (checked on insert since 0038). */
async function metadataOfDevice(db: Db): Promise<Violation[]> {
  const rows = await sql<{ id: number; device_id: number; metadata: number }>`
    SELECT i.id, i.device_id, i.issuance_metadata_id AS metadata FROM issuances i
    WHERE i.issuance_metadata_id IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM issuance_metadata m WHERE m.id = i.issuance_metadata_id AND m.device_id = i.device_id)
    ORDER BY i.id LIMIT ${LIMIT}`.execute(db);
  return rows.rows.map((r) => ({
    rule: 'issuance_metadata_of_device',
    detail: `issuance ${r.id} of device ${r.device_id} names metadata ${r.metadata}, not a version of that device`,
  }));
}

/**
 * A bundle covers its issuance's interval: the issuance statement pairs each bundle with its
 * issuance by the input row they share, and a split keeps its parent's interval. SD-GCs are the
 * storage check's (their issuance is an allocation's).
 */
async function intervalOfIssuance(db: Db): Promise<Violation[]> {
  const rows = await sql<{ id: number; issuance: number }>`
    SELECT b.id, i.id AS issuance FROM bundles b JOIN issuances i ON i.id = b.issuance_id
    WHERE i.storage_allocation_id IS NULL
      AND (b.production_starting_interval <> i.production_starting_interval
        OR b.production_ending_interval <> i.production_ending_interval)
    ORDER BY b.id LIMIT ${LIMIT}`.execute(db);
  return rows.rows.map((r) => ({
    rule: 'bundle_interval_of_issuance',
    detail: `bundle ${r.id} covers another interval than its issuance ${r.issuance}`,
  }));
}

/**
 * What an issuance re-issues or was imported as exists (checked on insert since 0041, where the
 * foreign keys were).
 */
async function referencesExist(db: Db): Promise<Violation[]> {
  const rows = await sql<{ detail: string }>`
    SELECT 'issuance ' || i.id || ' re-issues bundle ' || i.reissue_of_bundle_id || ', which does not exist' AS detail
    FROM issuances i
    WHERE i.reissue_of_bundle_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bundles b WHERE b.id = i.reissue_of_bundle_id)
    UNION ALL
    SELECT 'issuance ' || i.id || ' names imported issuance ' || i.imported_issuance_id || ', which does not exist'
    FROM issuances i
    WHERE i.imported_issuance_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM imported_issuances o WHERE o.id = i.imported_issuance_id)
    LIMIT ${LIMIT}`.execute(db);
  return rows.rows.map((r) => ({ rule: 'issuance_references_exist', detail: r.detail }));
}

/**
 * The bundle fields added after certificate events were first written, as every bundle of an event
 * written before had them: none charged a storage device or was an SD-GC (migration 0028), none was
 * imported (0030), none had a holder's reference (0031).
 */
const ADDED_LATER = {
  charged_storage_device_id: null,
  origin_device_id: null,
  sdr_id: null,
  discharging_starting_interval: null,
  discharging_ending_interval: null,
  storage_efficiency_factor: null,
  imported_issuance_id: null,
  holder_reference: null,
} as const satisfies Partial<BundleView>;
type Recorded = Omit<BundleView, keyof typeof ADDED_LATER> & Partial<BundleView>;

/** Applies one event to the rebuilt bundles. */
function replayEvent(bundles: Map<number, BundleView>, type: string, payload: unknown): void {
  if (type === 'certificates.issued') {
    for (const view of issuedViews(payload as IssuedEvent)) bundles.set(view.id, view);
    return;
  }
  // Every other certificate event carries the full rows it changed or created, as they were then.
  for (const b of (payload as { bundles: Recorded[] }).bundles) bundles.set(b.id, { ...ADDED_LATER, ...b });
}

async function replayMatches(db: Db): Promise<Violation[]> {
  const rebuilt = new Map<number, BundleView>();
  for await (const e of streamEvents(db))
    if (e.type.startsWith('certificates.')) replayEvent(rebuilt, e.type, e.payload);
  const violations: Violation[] = [];
  let after = 0;
  for (;;) {
    const rows: BundleRow[] = await registry(db)
      .selectFrom('bundles')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(5000)
      .execute();
    for (const row of rows) {
      const actual = bundleView(row);
      const replayed = rebuilt.get(row.id);
      rebuilt.delete(row.id);
      if (!replayed) {
        violations.push({ rule: 'replay_rebuilds_state', detail: `bundle ${row.id} exists but no event created it` });
      } else {
        const fields = (Object.keys(actual) as (keyof BundleView)[]).filter((k) => actual[k] !== replayed[k]);
        if (fields.length)
          violations.push({
            rule: 'replay_rebuilds_state',
            detail: `bundle ${row.id} differs from the event log in ${fields.join(', ')}`,
          });
      }
      if (violations.length >= LIMIT) return violations;
    }
    const last = rows[rows.length - 1];
    if (!last) break;
    after = last.id;
  }
  for (const id of rebuilt.keys()) {
    violations.push({ rule: 'replay_rebuilds_state', detail: `the event log has bundle ${id}, the table does not` });
    if (violations.length >= LIMIT) break;
  }
  return violations;
}

/**
 * Runs every registry invariant; an empty list means all hold. One repeatable-read snapshot
 * serves every check, so a server writing meanwhile cannot make the log and the tables disagree;
 * inside a caller's transaction (a test's, rolled back after), that transaction's view serves.
 */
export async function checkRegistry(db: Db): Promise<Violation[]> {
  const every = async (trx: Db) => [
    ...(await overlappingRanges(trx)),
    ...(await quantitiesAddUp(trx)),
    ...(await intervalsAtMostAnHour(trx)),
    ...(await metadataOfDevice(trx)),
    ...(await referencesExist(trx)),
    ...(await intervalOfIssuance(trx)),
    ...(await replayMatches(trx)),
    ...(await checkAccess(trx)),
    ...(await checkMetered(trx)),
    ...(await checkImports(trx)),
    ...(await checkStandingOrders(trx)),
  ];
  return db.isTransaction ? every(db) : db.transaction().setIsolationLevel('repeatable read').execute(every);
}

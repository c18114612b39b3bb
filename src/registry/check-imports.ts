// The checker's rules for imported certificates (docs/decisions/0012), wired into checkRegistry so
// `tally check` proves them from the database alone: an origin range is imported at most once, and
// every imported issuance and bundle is true to the origin record it names.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';

const LIMIT = 20;

/** No two imported ranges of one origin issuance share a certificate id. */
async function importedRangesDisjoint(db: Db): Promise<Violation[]> {
  const { rows } = await sql<{ origin_registry: string; origin_issuance_id: string; id: number; prev_id: number }>`
    SELECT origin_registry, origin_issuance_id, id, prev_id FROM (
      SELECT origin_registry, origin_issuance_id, id, certificate_bundle_id_range_start AS s,
             lag(certificate_bundle_id_range_end) OVER w AS prev_end, lag(id) OVER w AS prev_id
      FROM imported_issuances
      WINDOW w AS (PARTITION BY origin_registry, origin_issuance_id ORDER BY certificate_bundle_id_range_start)) t
    WHERE prev_end >= s ORDER BY id LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: 'imported_once',
    detail:
      `issuance ${r.origin_issuance_id} of ${r.origin_registry}: imported issuances ${r.prev_id} and ${r.id} ` +
      'overlap',
  }));
}

/**
 * Each origin record has its one issuance, holding its ids, interval and quantity, and every bundle
 * names the same origin as its issuance, with the origin's energy source and interval.
 */
async function importsTrueToOrigin(db: Db): Promise<Violation[]> {
  const { rows } = await sql<{ detail: string }>`
    SELECT 'imported issuance ' || o.id || ' has no issuance of its own' AS detail
    FROM imported_issuances o LEFT JOIN issuances i ON i.imported_issuance_id = o.id
    WHERE i.id IS NULL
    UNION ALL
    SELECT 'issuance ' || i.id || ' differs from imported issuance ' || o.id
    FROM issuances i JOIN imported_issuances o ON o.id = i.imported_issuance_id
    WHERE (i.certificate_bundle_id_range_start, i.certificate_bundle_id_range_end, i.bundle_quantity,
           i.production_starting_interval, i.production_ending_interval)
       IS DISTINCT FROM (o.certificate_bundle_id_range_start, o.certificate_bundle_id_range_end, o.bundle_quantity,
           o.production_starting_interval, o.production_ending_interval)
    UNION ALL
    SELECT 'bundle ' || b.id || ' names another origin than issuance ' || i.id
    FROM bundles b JOIN issuances i ON i.id = b.issuance_id
    WHERE b.device_id IS DISTINCT FROM i.device_id OR b.imported_issuance_id IS DISTINCT FROM i.imported_issuance_id
    UNION ALL
    SELECT 'bundle ' || b.id || ' differs from imported issuance ' || o.id || ' in its source or interval'
    FROM bundles b JOIN imported_issuances o ON o.id = b.imported_issuance_id
    WHERE (b.energy_source, b.production_starting_interval, b.production_ending_interval)
       IS DISTINCT FROM (o.energy_source, o.production_starting_interval, o.production_ending_interval)
    LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({ rule: 'imports_true_to_origin', detail: r.detail }));
}

export async function checkImports(db: Db): Promise<Violation[]> {
  return [...(await importedRangesDisjoint(db)), ...(await importsTrueToOrigin(db))];
}

// The storage invariants behind `tally check`, proved from the database alone: no Wh of charge or
// discharge counted twice, losses applied, SD-GCs within what was allocated and true to the charge
// they came from, and charge backed only by cancelled certificates of its own hour.
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';
import { utcHour } from '../platform/utc-hour.ts';

const LIMIT = 20;

/** Each rule: a query returning one `detail` per violation. */
const RULES: Array<{ rule: string; query: RawBuilder<{ detail: string }> }> = [
  {
    // A charge record is backed by at most the Wh it charged.
    rule: 'storage_charge_backed_within_charge',
    query: sql`
      SELECT 'charge record ' || c.id || ' charged ' || c.charging_energy || ' Wh and is backed by ' || sum(b.wh) AS detail
      FROM storage_charge_records c JOIN storage_charge_backings b ON b.scr_id = c.id
      GROUP BY c.id HAVING sum(b.wh) > c.charging_energy`,
  },
  {
    // A backing is a cancelled bundle that charged this device, whole, of the record's hour.
    rule: 'storage_backing_is_its_hours_cancelled_charge',
    query: sql`
      SELECT 'bundle ' || g.id || ' backs charge record ' || c.id || ' but is ' || g.certificate_bundle_status
             || ', charged device ' || coalesce(g.charged_storage_device_id::text, 'none') || ', holds '
             || g.bundle_quantity || ' Wh for ' || b.wh || ', of ' || coalesce(g.discharging_starting_interval, g.production_starting_interval) AS detail
      FROM storage_charge_backings b JOIN storage_charge_records c ON c.id = b.scr_id JOIN bundles g ON g.id = b.bundle_id
      WHERE g.certificate_bundle_status <> 'cancelled' OR g.charged_storage_device_id IS DISTINCT FROM c.device_id
         OR g.bundle_quantity <> b.wh
         OR ${utcHour(sql`coalesce(g.discharging_starting_interval, g.production_starting_interval)`)}
            <> ${utcHour(sql`c.charging_start_datetime`)}`,
  },
  {
    // A piece of charge is allocated at most once.
    rule: 'storage_charge_allocated_once',
    query: sql`
      SELECT 'bundle ' || b.bundle_id || ' backs ' || b.wh || ' Wh of charge and ' || sum(a.charge_wh) || ' Wh are allocated' AS detail
      FROM storage_charge_backings b JOIN storage_allocations a ON a.bundle_id = b.bundle_id AND a.status = 'live'
      GROUP BY b.bundle_id, b.wh HAVING sum(a.charge_wh) > b.wh`,
  },
  {
    // A discharge is allocated at most once.
    rule: 'storage_discharge_allocated_once',
    query: sql`
      SELECT 'discharge record ' || d.id || ' discharged ' || d.discharge_energy || ' Wh and ' || sum(a.discharge_wh) || ' Wh are allocated' AS detail
      FROM storage_discharge_records d JOIN storage_allocations a ON a.sdr_id = d.id AND a.status = 'live'
      GROUP BY d.id HAVING sum(a.discharge_wh) > d.discharge_energy`,
  },
  {
    // Losses applied; charge before discharge, of the same device; a live allocation joins live records.
    rule: 'storage_allocation_sound',
    query: sql`
      SELECT 'allocation ' || a.id || ' (charge record ' || c.id || ', discharge record ' || d.id || ') is unsound' AS detail
      FROM storage_allocations a JOIN storage_charge_records c ON c.id = a.scr_id JOIN storage_discharge_records d ON d.id = a.sdr_id
      JOIN storage_charge_backings b ON b.bundle_id = a.bundle_id
      WHERE a.discharge_wh::numeric * 1000000 > a.charge_wh::numeric * a.efficiency_ppm
         OR d.efficiency_ppm IS NULL OR a.efficiency_ppm > d.efficiency_ppm
         OR b.scr_id <> c.id OR c.device_id <> d.device_id OR c.charging_end_datetime > d.discharging_start_datetime
         OR (a.status = 'live' AND (c.status <> 'active' OR d.status <> 'active'))`,
  },
  {
    // SD-GCs of an allocation: at most its Wh, and none alive once it is released.
    rule: 'storage_sdgc_within_allocation',
    query: sql`
      SELECT 'allocation ' || a.id || ' (' || a.status || ', ' || a.discharge_wh || ' Wh) has issued ' || max(i.bundle_quantity)
             || ' Wh, of which ' || coalesce(sum(g.bundle_quantity) FILTER (WHERE g.certificate_bundle_status <> 'withdrawn'), 0)
             || ' Wh are not withdrawn' AS detail
      FROM storage_allocations a JOIN issuances i ON i.storage_allocation_id = a.id JOIN bundles g ON g.issuance_id = i.id
      GROUP BY a.id, a.status, a.discharge_wh
      HAVING max(i.bundle_quantity) > a.discharge_wh
          OR (a.status = 'released'
              AND coalesce(sum(g.bundle_quantity) FILTER (WHERE g.certificate_bundle_status <> 'withdrawn'), 0) > 0)`,
  },
  {
    // An SD-GC is the storage device's, with its discharge's interval, and inherits its charge's attributes.
    rule: 'storage_sdgc_inherits',
    query: sql`
      SELECT 'SD-GC bundle ' || g.id || ' does not match allocation ' || a.id || ' and its records' AS detail
      FROM bundles g JOIN issuances i ON i.id = g.issuance_id JOIN storage_allocations a ON a.id = i.storage_allocation_id
      JOIN storage_discharge_records d ON d.id = a.sdr_id JOIN bundles ch ON ch.id = a.bundle_id
      WHERE g.device_id <> d.device_id OR g.sdr_id IS DISTINCT FROM d.id
         OR g.discharging_starting_interval IS DISTINCT FROM d.discharging_start_datetime
         OR g.discharging_ending_interval IS DISTINCT FROM d.discharging_end_datetime
         OR g.storage_efficiency_factor IS DISTINCT FROM a.efficiency_ppm / 1000000.0::double precision
         OR g.energy_source <> ch.energy_source OR g.origin_device_id <> coalesce(ch.origin_device_id, ch.device_id)
         OR g.production_starting_interval <> ch.production_starting_interval`,
  },
  {
    // Every SD-GC comes from an allocation.
    rule: 'storage_sdgc_from_allocation',
    query: sql`
      SELECT 'SD-GC bundle ' || g.id || ' has no storage allocation behind its issuance' AS detail
      FROM bundles g JOIN issuances i ON i.id = g.issuance_id
      WHERE g.sdr_id IS NOT NULL AND i.storage_allocation_id IS NULL`,
  },
  {
    // What an SD-GC issuance names exists (checked on insert since 0042, where the foreign key was).
    rule: 'storage_allocation_exists',
    query: sql`
      SELECT 'issuance ' || i.id || ' names storage allocation ' || i.storage_allocation_id || ', which does not exist'
        AS detail
      FROM issuances i
      WHERE i.storage_allocation_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM storage_allocations a WHERE a.id = i.storage_allocation_id)`,
  },
];

/** Every storage invariant; an empty list means all hold. */
export async function checkStorage(db: Db): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const { rule, query } of RULES) {
    const { rows } = await sql<{ detail: string }>`${query} LIMIT ${LIMIT}`.execute(db);
    violations.push(...rows.map((r) => ({ rule, detail: r.detail })));
  }
  return violations;
}

// A bundle as the API shows it and as events record it: every column but the bookkeeping
// timestamp, timestamps as ISO 8601 UTC. Replaying events rebuilds exactly these values.
import { iso } from '../platform/timestamp.ts';
import type { BundleRow } from './tables.ts';

export type BundleView = {
  [K in Exclude<keyof BundleRow, 'updated_at'>]: BundleRow[K] extends Date
    ? string
    : BundleRow[K] extends Date | null
      ? string | null
      : BundleRow[K];
};

export function bundleView(b: BundleRow): BundleView {
  return {
    id: b.id,
    issuance_id: b.issuance_id,
    device_id: b.device_id,
    account_id: b.account_id,
    certificate_bundle_id_range_start: b.certificate_bundle_id_range_start,
    certificate_bundle_id_range_end: b.certificate_bundle_id_range_end,
    bundle_quantity: b.bundle_quantity,
    certificate_bundle_status: b.certificate_bundle_status,
    energy_source: b.energy_source,
    production_starting_interval: b.production_starting_interval.toISOString(),
    production_ending_interval: b.production_ending_interval.toISOString(),
    issuance_datestamp: b.issuance_datestamp.toISOString(),
    expiry_datestamp: b.expiry_datestamp.toISOString(),
    split_from_bundle_id: b.split_from_bundle_id,
    beneficiary: b.beneficiary,
    cancellation_purpose: b.cancellation_purpose,
    cancelled_at: iso(b.cancelled_at),
    cancellation_statement_id: b.cancellation_statement_id,
    claim_consumer: b.claim_consumer,
    claim_metering_point_id: b.claim_metering_point_id,
    claim_period_start: iso(b.claim_period_start),
    claim_period_end: iso(b.claim_period_end),
    claimed_at: iso(b.claimed_at),
  };
}

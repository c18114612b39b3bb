// A bundle has one row type (the bundles table, tables.ts) and one view: the `Bundle` schema
// (schemas.ts), which is what the API shows and what events record, timestamps as ISO 8601 UTC.
// This file is the one mapping between them, and the one place that says what a bundle is when
// it is issued. Replaying events rebuilds exactly these views.
import type { Static } from 'typebox';
import type { Bundle } from './schemas.ts';
import { iso } from '../platform/timestamp.ts';
import type { BundleRow } from './tables.ts';

export type BundleView = Static<typeof Bundle>;

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
    charged_storage_device_id: b.charged_storage_device_id,
    origin_device_id: b.origin_device_id,
    sdr_id: b.sdr_id,
    discharging_starting_interval: iso(b.discharging_starting_interval),
    discharging_ending_interval: iso(b.discharging_ending_interval),
    storage_efficiency_factor: b.storage_efficiency_factor,
    imported_issuance_id: b.imported_issuance_id,
    holder_reference: b.holder_reference,
  };
}

/**
 * What an issuance decides about each bundle it creates, its instants as the API writes them
 * (ISO 8601 UTC with milliseconds). An import names the bundle's origin record.
 */
export interface IssuedBundle {
  id: number;
  issuance_id: number;
  device_id: number | null;
  account_id: number;
  certificate_bundle_id_range_start: number;
  certificate_bundle_id_range_end: number;
  energy_source: BundleView['energy_source'];
  production_starting_interval: string;
  production_ending_interval: string;
  issuance_datestamp: string;
  expiry_datestamp: string;
  imported_issuance_id?: number;
}

/**
 * The view of a bundle as issued: whole, active, never acted on. Issuance and import build their
 * views here rather than reading them back from the database, and replay rebuilds issued bundles
 * here from the compact `certificates.issued` event, so the three cannot disagree on what issuing
 * makes (`tally check` compares the replayed views with the rows, field by field). The instants
 * arrive as text: issuance has the request's own text or writes each once, where building a row of
 * Dates and viewing it wrote four timestamps a bundle.
 */
export function issuedView(b: IssuedBundle): BundleView {
  // Written out field by field, not spread: issuance builds thousands of these per call, and a
  // literal gives them one shape, which keeps building and serializing them fast.
  return {
    id: b.id,
    issuance_id: b.issuance_id,
    device_id: b.device_id,
    account_id: b.account_id,
    certificate_bundle_id_range_start: b.certificate_bundle_id_range_start,
    certificate_bundle_id_range_end: b.certificate_bundle_id_range_end,
    bundle_quantity: b.certificate_bundle_id_range_end - b.certificate_bundle_id_range_start + 1,
    certificate_bundle_status: 'active',
    energy_source: b.energy_source,
    production_starting_interval: b.production_starting_interval,
    production_ending_interval: b.production_ending_interval,
    issuance_datestamp: b.issuance_datestamp,
    expiry_datestamp: b.expiry_datestamp,
    split_from_bundle_id: null,
    beneficiary: null,
    cancellation_purpose: null,
    cancelled_at: null,
    cancellation_statement_id: null,
    claim_consumer: null,
    claim_metering_point_id: null,
    claim_period_start: null,
    claim_period_end: null,
    claimed_at: null,
    charged_storage_device_id: null,
    origin_device_id: null,
    sdr_id: null,
    discharging_starting_interval: null,
    discharging_ending_interval: null,
    storage_efficiency_factor: null,
    imported_issuance_id: b.imported_issuance_id ?? null,
    holder_reference: null,
  };
}

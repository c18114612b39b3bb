-- Storage-discharge GCs (SD-GCs, EnergyTag GC Standard's storage rules, decision 11): a storage
-- device issues them, from its own id counter, for energy it discharged. Each is an ordinary bundle
-- (transferred, cancelled, claimed like any other) that also says where its energy came from.

-- A cancelled bundle that charged a storage device (the storage module's SCR backing): its energy
-- now travels on as SD-GCs, so the holder may not claim it as well.
ALTER TABLE bundles ADD COLUMN charged_storage_device_id bigint REFERENCES devices (id);
ALTER TABLE bundles ADD CONSTRAINT bundles_charged_when_cancelled
  CHECK (charged_storage_device_id IS NULL OR certificate_bundle_status = 'cancelled');

-- An SD-GC's own attributes: the production device its charge GCs came from (device_id is the
-- storage device that issued it), the discharge record and its interval, and the efficiency factor
-- applied. energy_source and the production interval are inherited from the charge GCs.
ALTER TABLE bundles
  ADD COLUMN origin_device_id bigint REFERENCES devices (id),
  ADD COLUMN sdr_id bigint,
  ADD COLUMN discharging_starting_interval timestamptz,
  ADD COLUMN discharging_ending_interval timestamptz,
  ADD COLUMN storage_efficiency_factor double precision;
ALTER TABLE bundles ADD CONSTRAINT bundles_storage_discharge_complete CHECK (
  (origin_device_id IS NULL AND sdr_id IS NULL AND discharging_starting_interval IS NULL
    AND discharging_ending_interval IS NULL AND storage_efficiency_factor IS NULL)
  OR (origin_device_id IS NOT NULL AND sdr_id IS NOT NULL AND discharging_ending_interval > discharging_starting_interval
    AND storage_efficiency_factor > 0 AND storage_efficiency_factor <= 1));
-- Disclosures count an SD-GC at its discharge hour.
CREATE INDEX bundles_sdr ON bundles (sdr_id) WHERE sdr_id IS NOT NULL;

-- The issuance of an SD-GC names the allocation (of an SDR to a charge) it was issued from, and
-- each allocation is issued at most once.
ALTER TABLE issuances ADD COLUMN storage_allocation_id bigint UNIQUE;
-- The interval rule (once per device and interval) stays production's: 0034 leaves SD-GC issuances
-- out of its index, after 0030 made that index one over device issuances.

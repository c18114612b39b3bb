-- Storage records (EnergyTag GC Standard's storage rules, decision 11): what a storage device
-- charged and discharged, the cancelled certificates behind each charge, and which charge each
-- discharge was allocated from. The storage module writes them, always under the storage
-- device's row lock; `tally check` (checkStorage) proves that no Wh is counted twice.

-- A Storage Charge Record: Wh a storage device charged within one UTC hour, metered (validator_id
-- names the meter or validator of the reading) or declared through the API.
CREATE TABLE storage_charge_records (
  id                             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id                      bigint NOT NULL REFERENCES devices (id),
  account_id                     bigint NOT NULL REFERENCES accounts (id),
  charging_start_datetime        timestamptz NOT NULL,
  charging_end_datetime          timestamptz NOT NULL,
  charging_energy                bigint NOT NULL CHECK (charging_energy > 0),
  scr_geographic_matching_method text NOT NULL,
  validator_id                   text,
  status                         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
  created_by                     bigint,
  created_at                     timestamptz NOT NULL,
  withdrawn_at                   timestamptz,
  CHECK (charging_end_datetime > charging_start_datetime),
  CHECK (date_trunc('hour', charging_start_datetime AT TIME ZONE 'UTC')
         = date_trunc('hour', (charging_end_datetime - interval '1 microsecond') AT TIME ZONE 'UTC')),
  CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
);
-- A reading is recorded once: one live record per device, interval start and validator.
CREATE UNIQUE INDEX storage_charge_records_once ON storage_charge_records (device_id, charging_start_datetime, validator_id)
  NULLS NOT DISTINCT WHERE status = 'active';
CREATE INDEX storage_charge_records_account ON storage_charge_records (account_id, charging_start_datetime, id);

-- The cancelled certificates that back a charge record, Wh for Wh, produced in its hour. A bundle
-- backs one record at most, and, cancelled, never changes again.
CREATE TABLE storage_charge_backings (
  bundle_id bigint PRIMARY KEY REFERENCES bundles (id),
  scr_id    bigint NOT NULL REFERENCES storage_charge_records (id),
  wh        bigint NOT NULL CHECK (wh > 0)
);
CREATE INDEX storage_charge_backings_scr ON storage_charge_backings (scr_id);

-- A Storage Discharge Record: Wh a storage device discharged within one UTC hour, with the
-- allocation order it declares (fixed once recorded) and the round-trip efficiency measured over
-- its efficiency interval, as parts per million (discharge ÷ charge, never above one).
CREATE TABLE storage_discharge_records (
  id                               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id                        bigint NOT NULL REFERENCES devices (id),
  account_id                       bigint NOT NULL REFERENCES accounts (id),
  discharging_start_datetime       timestamptz NOT NULL,
  discharging_end_datetime         timestamptz NOT NULL,
  discharge_energy                 bigint NOT NULL CHECK (discharge_energy > 0),
  scr_allocation_methodology       text NOT NULL CHECK (scr_allocation_methodology IN ('FIFO', 'LIFO')),
  efficiency_factor_methodology    text NOT NULL,
  efficiency_factor_interval_start timestamptz NOT NULL,
  efficiency_factor_interval_end   timestamptz NOT NULL,
  efficiency_ppm                   integer CHECK (efficiency_ppm > 0 AND efficiency_ppm <= 1000000),
  validator_id                     text,
  status                           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
  created_by                       bigint,
  created_at                       timestamptz NOT NULL,
  withdrawn_at                     timestamptz,
  CHECK (discharging_end_datetime > discharging_start_datetime),
  CHECK (date_trunc('hour', discharging_start_datetime AT TIME ZONE 'UTC')
         = date_trunc('hour', (discharging_end_datetime - interval '1 microsecond') AT TIME ZONE 'UTC')),
  CHECK (efficiency_factor_interval_end > efficiency_factor_interval_start),
  CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
);
CREATE UNIQUE INDEX storage_discharge_records_once ON storage_discharge_records
  (device_id, discharging_start_datetime, validator_id) NULLS NOT DISTINCT WHERE status = 'active';
CREATE INDEX storage_discharge_records_account ON storage_discharge_records (account_id, discharging_start_datetime, id);

-- An allocation of a discharge record to one charge bundle of a charge record: charge_wh of the
-- charge cover discharge_wh of the discharge, losses applied (discharge_wh ≤ charge_wh × efficiency).
-- A released allocation (its record withdrawn) no longer counts.
CREATE TABLE storage_allocations (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sdr_id         bigint NOT NULL REFERENCES storage_discharge_records (id),
  scr_id         bigint NOT NULL REFERENCES storage_charge_records (id),
  bundle_id      bigint NOT NULL REFERENCES storage_charge_backings (bundle_id),
  charge_wh      bigint NOT NULL CHECK (charge_wh > 0),
  discharge_wh   bigint NOT NULL CHECK (discharge_wh > 0),
  efficiency_ppm integer NOT NULL CHECK (efficiency_ppm > 0 AND efficiency_ppm <= 1000000),
  status         text NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'released')),
  created_at     timestamptz NOT NULL,
  released_at    timestamptz,
  CHECK (discharge_wh::numeric * 1000000 <= charge_wh::numeric * efficiency_ppm),
  CHECK ((status = 'released') = (released_at IS NOT NULL))
);
CREATE INDEX storage_allocations_sdr ON storage_allocations (sdr_id);
CREATE INDEX storage_allocations_scr ON storage_allocations (scr_id);
CREATE INDEX storage_allocations_bundle ON storage_allocations (bundle_id);

-- An SD-GC names its allocation and its discharge record (registry migration 0028 made the columns).
ALTER TABLE issuances ADD FOREIGN KEY (storage_allocation_id) REFERENCES storage_allocations (id);
ALTER TABLE bundles ADD FOREIGN KEY (sdr_id) REFERENCES storage_discharge_records (id);

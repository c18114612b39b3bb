-- Certificates issued by another registry and imported into an account (docs/decisions/0012).
-- One row per imported origin bundle: the registry it comes from, the id it was issued under
-- there, its original id range and every attribute the origin registry gave it. An imported
-- bundle has no Tally device: its issuance and bundles point here instead, and keep the original
-- ids as their Tally ids, which are unique within one origin issuance because imports refuse any
-- range overlapping one imported before (under a per-origin-issuance advisory lock; `tally check`
-- proves it too). Like an issuance, a row is never changed or removed.
CREATE TABLE imported_issuances (
  id                                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  origin_registry                         text NOT NULL CHECK (length(origin_registry) BETWEEN 1 AND 200),
  origin_issuance_id                      text NOT NULL CHECK (length(origin_issuance_id) BETWEEN 1 AND 200),
  certificate_bundle_id_range_start       bigint NOT NULL CHECK (certificate_bundle_id_range_start >= 0),
  certificate_bundle_id_range_end         bigint NOT NULL,
  bundle_quantity                         bigint NOT NULL CHECK (bundle_quantity > 0),
  energy_source                           text NOT NULL CHECK (energy_source IN (
    'solar_pv', 'wind', 'hydro', 'marine', 'geothermal', 'biomass', 'biogas', 'waste', 'nuclear', 'natural_gas',
    'coal', 'oil', 'battery_storage', 'other')),
  issuance_post_energy_carrier_conversion boolean NOT NULL,
  emissions_factor_production_device      double precision CHECK (emissions_factor_production_device >= 0),
  emissions_factor_source                 text,
  production_starting_interval            timestamptz NOT NULL,
  production_ending_interval              timestamptz NOT NULL,
  local_timezone                          text NOT NULL,
  expiry_datestamp                        timestamptz NOT NULL,
  is_storage                              boolean NOT NULL,
  storage_efficiency_factor               double precision
    CHECK (storage_efficiency_factor > 0 AND storage_efficiency_factor <= 1),
  country_of_issuance                     text NOT NULL,
  connected_grid_identification           text NOT NULL,
  issuing_body                            text NOT NULL,
  legal_status                            text,
  issuance_purpose                        text,
  support_received                        text,
  quality_scheme_reference                text,
  dissemination_level                     text,
  issue_market_zone                       text NOT NULL,
  -- The production device as the origin registry described it, where the file says (the import
  -- template has no such columns; the EnergyTag draft's bundle shows them).
  device_name                             text,
  device_technology_type                  text,
  device_production_start_date            date,
  device_capacity                         bigint CHECK (device_capacity > 0),
  device_latitude                         double precision CHECK (device_latitude BETWEEN -90 AND 90),
  device_longitude                        double precision CHECK (device_longitude BETWEEN -180 AND 180),
  account_id                              bigint NOT NULL REFERENCES accounts (id),
  imported_by                             bigint,
  imported_at                             timestamptz NOT NULL DEFAULT now(),
  CHECK (certificate_bundle_id_range_end - certificate_bundle_id_range_start + 1 = bundle_quantity),
  CHECK (production_ending_interval > production_starting_interval),
  CHECK (production_ending_interval - production_starting_interval <= interval '1 hour'),
  CHECK (storage_efficiency_factor IS NULL OR is_storage),
  CHECK ((device_latitude IS NULL) = (device_longitude IS NULL)),
  UNIQUE (origin_registry, origin_issuance_id, certificate_bundle_id_range_start)
);

CREATE TRIGGER imported_issuances_immutable BEFORE UPDATE OR DELETE ON imported_issuances
  FOR EACH ROW EXECUTE FUNCTION issuances_refuse_change();
CREATE TRIGGER imported_issuances_no_truncate BEFORE TRUNCATE ON imported_issuances
  FOR EACH STATEMENT EXECUTE FUNCTION issuances_refuse_change();

-- An issuance comes from exactly one of a Tally device (with its metadata version) or an import.
ALTER TABLE issuances ALTER COLUMN device_id DROP NOT NULL;
ALTER TABLE issuances ALTER COLUMN issuance_metadata_id DROP NOT NULL;
ALTER TABLE issuances ADD COLUMN imported_issuance_id bigint UNIQUE REFERENCES imported_issuances (id);
ALTER TABLE issuances ADD CONSTRAINT issuances_one_origin CHECK (
  (device_id IS NOT NULL AND issuance_metadata_id IS NOT NULL AND imported_issuance_id IS NULL)
  OR (device_id IS NULL AND issuance_metadata_id IS NULL AND imported_issuance_id IS NOT NULL));
-- Once per device and interval start still, for device issuances only: imported ones have no device,
-- and NULLS NOT DISTINCT would otherwise make two imports of the same hour collide.
ALTER TABLE issuances DROP CONSTRAINT issuances_device_id_production_starting_interval_reissue_of_key;
CREATE UNIQUE INDEX issuances_device_interval_once ON issuances (device_id, production_starting_interval,
  reissue_of_bundle_id) NULLS NOT DISTINCT WHERE device_id IS NOT NULL;

-- A bundle records where it came from, so a future export refuses an imported one.
ALTER TABLE bundles ALTER COLUMN device_id DROP NOT NULL;
ALTER TABLE bundles ADD COLUMN imported_issuance_id bigint REFERENCES imported_issuances (id);
ALTER TABLE bundles ADD CONSTRAINT bundles_one_origin CHECK ((device_id IS NULL) <> (imported_issuance_id IS NULL));
-- The (device, range start) key of device bundles, for imported ones: two bundles of one imported
-- issuance never start at the same id (splits shrink the remainder first, as for devices).
ALTER TABLE bundles ADD CONSTRAINT bundles_imported_range_start_key
  UNIQUE (imported_issuance_id, certificate_bundle_id_range_start);

-- Energy sources are a closed list, like statuses and device types: the database now refuses any
-- other on devices and on the bundles that copy it. The list is ENERGY_SOURCES in
-- src/registry/tables.ts; test/check-constraints.test.ts holds the two to the same values.
ALTER TABLE devices ADD CONSTRAINT devices_energy_source_check CHECK (energy_source IN (
  'solar_pv', 'wind', 'hydro', 'marine', 'geothermal', 'biomass', 'biogas', 'waste', 'nuclear', 'natural_gas',
  'coal', 'oil', 'battery_storage', 'other'));
ALTER TABLE bundles ADD CONSTRAINT bundles_energy_source_check CHECK (energy_source IN (
  'solar_pv', 'wind', 'hydro', 'marine', 'geothermal', 'biomass', 'biogas', 'waste', 'nuclear', 'natural_gas',
  'coal', 'oil', 'battery_storage', 'other'));

-- How far each configured meter data source has been imported, per metering point: the next
-- sync asks only for what comes after.
CREATE TABLE meter_source_state (
  source            text NOT NULL,
  metering_point_id text NOT NULL REFERENCES metering_points (id),
  imported_until    timestamptz NOT NULL,
  synced_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, metering_point_id)
);

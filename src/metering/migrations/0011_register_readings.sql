-- Cumulative register readings: energy-community meters report running totals of imported and
-- exported Wh at points in time, not interval energy. They are physical snapshots, so a stored
-- reading is never revised, and each register only grows with time (checked in registers.ts).
-- Interval energy is derived from consecutive readings by whoever reads this table.
CREATE TABLE register_readings (
  metering_point_id text NOT NULL REFERENCES metering_points (id),
  read_at     timestamptz NOT NULL,
  import_wh   bigint NOT NULL CHECK (import_wh >= 0),
  export_wh   bigint NOT NULL CHECK (export_wh >= 0),
  source      text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (metering_point_id, read_at)
);

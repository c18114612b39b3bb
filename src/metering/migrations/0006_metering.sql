-- Metering points and their interval readings. A point belongs to an account and may feed a
-- device's issuance; readings are integer Wh over [start, end) of 15, 30 or 60 minutes.
CREATE TABLE metering_points (
  id         text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
  type       text NOT NULL CHECK (type IN ('production', 'consumption', 'storage')),
  account_id bigint NOT NULL REFERENCES accounts (id),
  device_id  bigint REFERENCES devices (id),
  grid_area  text,
  time_zone  text NOT NULL DEFAULT 'UTC',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX metering_points_account ON metering_points (account_id);
CREATE INDEX metering_points_device ON metering_points (device_id);

CREATE TABLE readings (
  metering_point_id text NOT NULL REFERENCES metering_points (id),
  interval_start    timestamptz NOT NULL,
  interval_end      timestamptz NOT NULL,
  wh                bigint NOT NULL,
  quality           text NOT NULL CHECK (quality IN ('measured', 'estimated', 'revised')),
  source            text NOT NULL,
  -- 0 for the first value; each revision adds one and moves the value it replaces to reading_revisions.
  revision          integer NOT NULL DEFAULT 0,
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (metering_point_id, interval_start),
  CHECK (interval_end - interval_start IN (interval '15 minutes', interval '30 minutes', interval '60 minutes'))
);

-- Every value a reading had before a revision, kept for audit.
CREATE TABLE reading_revisions (
  metering_point_id text NOT NULL,
  interval_start    timestamptz NOT NULL,
  interval_end      timestamptz NOT NULL,
  wh                bigint NOT NULL,
  quality           text NOT NULL,
  source            text NOT NULL,
  revision          integer NOT NULL,
  recorded_at       timestamptz NOT NULL,
  superseded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (metering_point_id, interval_start, revision),
  FOREIGN KEY (metering_point_id, interval_start) REFERENCES readings (metering_point_id, interval_start)
);

CREATE TABLE accounts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_name text NOT NULL CHECK (length(account_name) BETWEEN 1 AND 200),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  closed_at    timestamptz
);

-- Membership decides which accounts a user may read and act on.
CREATE TABLE account_members (
  account_id bigint NOT NULL REFERENCES accounts (id),
  user_id    bigint NOT NULL REFERENCES users (id),
  added_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, user_id)
);
CREATE INDEX account_members_user ON account_members (user_id);

-- account_id accepts transfers from accepts_from.
CREATE TABLE account_whitelist (
  account_id   bigint NOT NULL REFERENCES accounts (id),
  accepts_from bigint NOT NULL REFERENCES accounts (id),
  added_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, accepts_from),
  CHECK (account_id <> accepts_from)
);
CREATE INDEX account_whitelist_reverse ON account_whitelist (accepts_from);

CREATE TABLE devices (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id           bigint NOT NULL REFERENCES accounts (id),
  device_name          text NOT NULL,
  device_type          text NOT NULL CHECK (device_type IN ('production', 'storage')),
  technology_code      text,
  fuel_code            text,
  technology_label     text,
  energy_source        text NOT NULL,
  capacity             bigint NOT NULL CHECK (capacity > 0),
  operational_date     date NOT NULL,
  latitude             double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude            double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  grid                 text NOT NULL,
  country              text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  time_zone            text NOT NULL,
  issuance_metadata_id bigint,
  -- The next certificate id this device issues: ranges are allocated from here under the
  -- device's row lock, so a device's ranges are contiguous and can never overlap.
  next_certificate_id  bigint NOT NULL CHECK (next_certificate_id >= 0),
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_account ON devices (account_id);

-- Issuance metadata is versioned: an issuance points at the version in force when it was made,
-- so editing a device never rewrites what its certificates already say.
CREATE TABLE issuance_metadata (
  id                            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id                     bigint NOT NULL REFERENCES devices (id),
  country_of_issuance           text NOT NULL,
  connected_grid_identification text NOT NULL,
  issuing_body                  text NOT NULL,
  legal_status                  text,
  issuance_purpose              text,
  support_received              text,
  quality_scheme_reference      text,
  dissemination_level           text,
  issue_market_zone             text NOT NULL,
  created_at                    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (device_id, id)
);
ALTER TABLE devices ADD FOREIGN KEY (issuance_metadata_id) REFERENCES issuance_metadata (id);

-- One row per issuance, never changed. At most one original issuance per device and interval
-- start, ever; a re-issue names the withdrawn bundle it replaces, and each bundle is replaced once.
CREATE TABLE issuances (
  id                                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id                         bigint NOT NULL,
  issuance_metadata_id              bigint NOT NULL,
  production_starting_interval      timestamptz NOT NULL,
  production_ending_interval        timestamptz NOT NULL,
  bundle_quantity                   bigint NOT NULL CHECK (bundle_quantity > 0),
  certificate_bundle_id_range_start bigint NOT NULL,
  certificate_bundle_id_range_end   bigint NOT NULL,
  reissue_of_bundle_id              bigint UNIQUE,
  issued_by                         bigint,
  issued_at                         timestamptz NOT NULL DEFAULT now(),
  CHECK (production_ending_interval > production_starting_interval),
  CHECK (production_ending_interval - production_starting_interval <= interval '1 hour'),
  CHECK (certificate_bundle_id_range_end - certificate_bundle_id_range_start + 1 = bundle_quantity),
  UNIQUE NULLS NOT DISTINCT (device_id, production_starting_interval, reissue_of_bundle_id),
  -- The metadata version must be one of this device's (and so the device exists): one check
  -- per row that says more than two separate foreign keys would.
  FOREIGN KEY (device_id, issuance_metadata_id) REFERENCES issuance_metadata (device_id, id)
);

CREATE TABLE cancellation_statements (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id  bigint NOT NULL REFERENCES accounts (id),
  beneficiary text NOT NULL,
  purpose     text,
  actor_id    bigint,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- The statement as issued (bundles, Wh by source and hour): a document, fixed once written.
  statement   jsonb NOT NULL
);
CREATE INDEX cancellation_statements_account ON cancellation_statements (account_id, id);

CREATE TABLE bundles (
  id                                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  issuance_id                       bigint NOT NULL REFERENCES issuances (id),
  device_id                         bigint NOT NULL REFERENCES devices (id),
  account_id                        bigint NOT NULL REFERENCES accounts (id),
  certificate_bundle_id_range_start bigint NOT NULL,
  certificate_bundle_id_range_end   bigint NOT NULL,
  bundle_quantity                   bigint GENERATED ALWAYS AS
                                      (certificate_bundle_id_range_end - certificate_bundle_id_range_start + 1) STORED,
  certificate_bundle_status         text NOT NULL DEFAULT 'active' CHECK (certificate_bundle_status IN
                                      ('active', 'reserved', 'locked', 'cancelled', 'claimed', 'withdrawn', 'expired')),
  energy_source                     text NOT NULL,
  production_starting_interval      timestamptz NOT NULL,
  production_ending_interval        timestamptz NOT NULL,
  issuance_datestamp                timestamptz NOT NULL,
  expiry_datestamp                  timestamptz NOT NULL,
  split_from_bundle_id              bigint,
  beneficiary                       text,
  cancellation_purpose              text,
  cancelled_at                      timestamptz,
  cancellation_statement_id         bigint REFERENCES cancellation_statements (id),
  claim_consumer                    text,
  claim_metering_point_id           text,
  claim_period_start                timestamptz,
  claim_period_end                  timestamptz,
  claimed_at                        timestamptz,
  updated_at                        timestamptz NOT NULL DEFAULT now(),
  CHECK (certificate_bundle_id_range_end >= certificate_bundle_id_range_start),
  -- Splits keep a device's ranges disjoint; two bundles never start at the same id.
  UNIQUE (device_id, certificate_bundle_id_range_start)
);
-- The account query pages in production-time order; the partial index serves queries for
-- statuses other than active, which are few among many active bundles.
CREATE INDEX bundles_account_time ON bundles (account_id, production_starting_interval, id);
CREATE INDEX bundles_account_time_settled ON bundles (account_id, production_starting_interval, id)
  WHERE certificate_bundle_status <> 'active';
CREATE INDEX bundles_issuance ON bundles (issuance_id);
CREATE INDEX bundles_expiry ON bundles (expiry_datestamp) WHERE certificate_bundle_status = 'active';
ALTER TABLE issuances ADD FOREIGN KEY (reissue_of_bundle_id) REFERENCES bundles (id);

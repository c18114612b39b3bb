-- Renewable energy communities: members share surplus every interval, the rest goes to the grid.
-- Prices are currency per kWh; money is stored in millionths of the currency, so sums are exact.
CREATE TABLE communities (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name               text NOT NULL,
  interval_minutes   integer NOT NULL CHECK (interval_minutes IN (15, 30, 60)),
  time_zone          text NOT NULL,
  mechanism          text NOT NULL CHECK (mechanism IN ('mmr', 'sdr', 'bill_sharing', 'static_keys', 'dynamic_keys')),
  grid_price         double precision NOT NULL CHECK (grid_price >= 0),
  feed_in_price      double precision NOT NULL CHECK (feed_in_price >= 0 AND feed_in_price <= grid_price),
  -- The allocation-key mechanisms' internal price; null means halfway between feed-in and grid.
  peer_price         double precision CHECK (peer_price >= feed_in_price AND peer_price <= grid_price),
  currency           text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  move_certificates  boolean NOT NULL,
  public             boolean NOT NULL DEFAULT false,
  -- How long the clearing job waits for every member's readings before clearing without the missing ones.
  data_wait_minutes  integer NOT NULL DEFAULT 2880 CHECK (data_wait_minutes >= 0),
  manager_id         bigint NOT NULL REFERENCES users (id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- A member is one metering point, or an import point with a separate export point.
CREATE TABLE community_members (
  id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  community_id             bigint NOT NULL REFERENCES communities (id),
  name                     text NOT NULL,
  metering_point_id        text NOT NULL REFERENCES metering_points (id),
  export_metering_point_id text REFERENCES metering_points (id) CHECK (export_metering_point_id <> metering_point_id),
  -- Static allocation key in millionths (250000 = 25 %).
  share_millionths         integer CHECK (share_millionths BETWEEN 0 AND 1000000),
  valid_from               timestamptz NOT NULL,
  valid_to                 timestamptz CHECK (valid_to > valid_from),
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX community_members_community ON community_members (community_id);
CREATE INDEX community_members_point ON community_members (metering_point_id);
CREATE INDEX community_members_export_point ON community_members (export_metering_point_id);

-- One row per cleared interval: the primary key is what makes clearing happen at most once.
CREATE TABLE community_intervals (
  community_id       bigint NOT NULL REFERENCES communities (id),
  interval_start     timestamptz NOT NULL,
  interval_end       timestamptz NOT NULL,
  -- The terms in force when it cleared; changing the community later changes only later intervals.
  mechanism          text NOT NULL,
  grid_price         double precision NOT NULL,
  feed_in_price      double precision NOT NULL,
  peer_price         double precision NOT NULL,
  buy_price          double precision,
  sell_price         double precision,
  demand_wh          bigint NOT NULL,
  supply_wh          bigint NOT NULL,
  peer_wh            bigint NOT NULL,
  grid_import_wh     bigint NOT NULL,
  grid_export_wh     bigint NOT NULL,
  -- Members whose energy went straight to the grid (previous register reading missing), and
  -- members without readings, who took no part.
  grid_only_member_ids bigint[] NOT NULL,
  missing_member_ids   bigint[] NOT NULL,
  cleared_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, interval_start)
);

-- Who delivered how much to whom in an interval, at what price. A null buyer or seller is the
-- public grid. Matches are written only by clearing, right after it read the members and the
-- interval in the same transaction, so they carry no per-row foreign keys: with ten thousand
-- members an interval writes ten thousand rows, and each key would be checked row by row.
CREATE TABLE community_matches (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  community_id      bigint NOT NULL,
  interval_start    timestamptz NOT NULL,
  buyer_member_id   bigint,
  seller_member_id  bigint,
  wh                bigint NOT NULL CHECK (wh > 0),
  price             double precision NOT NULL,
  amount_micro      bigint NOT NULL,
  state             text NOT NULL DEFAULT 'created' CHECK (state IN ('created', 'sent', 'paid', 'not_paid', 'error')),
  state_changed_at  timestamptz,
  CHECK (buyer_member_id IS NOT NULL OR seller_member_id IS NOT NULL)
);
CREATE INDEX community_matches_interval ON community_matches (community_id, interval_start);

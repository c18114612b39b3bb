-- A disclosure is a published question: how much of this consumer's consumption in this period
-- was matched, hour by hour, by certificates claimed for it. The answer is computed from the
-- current claims and readings whenever it is fetched, so it follows every new claim.
CREATE TABLE disclosures (
  id                 uuid PRIMARY KEY,
  account_id         bigint REFERENCES accounts (id),
  metering_point_ids text[] NOT NULL DEFAULT '{}',
  period_start       timestamptz NOT NULL,
  period_end         timestamptz NOT NULL,
  created_by         bigint NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (period_end > period_start),
  CHECK ((account_id IS NULL) <> (cardinality(metering_point_ids) = 0))
);
CREATE INDEX disclosures_created ON disclosures (created_at);

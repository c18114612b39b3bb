-- A cleared interval keeps the mechanism it cleared with; it is one of the mechanisms a community
-- may have (MECHANISMS in src/community/clearing.ts; test/check-constraints.test.ts holds the
-- constraints and the list to the same values).
ALTER TABLE community_intervals ADD CONSTRAINT community_intervals_mechanism_check CHECK (mechanism IN (
  'mmr', 'sdr', 'bill_sharing', 'static_keys', 'dynamic_keys'));

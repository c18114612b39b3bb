-- A disclosure of consumption metering points sums the certificates claimed against them, by the
-- hour their energy reached the grid (claimedByHour in queries.ts). Without an index that is a scan
-- of every bundle; with this one, only the claimed bundles of those points in the period are read.
CREATE INDEX bundles_claimed_by_point
  ON bundles (claim_metering_point_id, (coalesce(discharging_starting_interval, production_starting_interval)))
  WHERE certificate_bundle_status = 'claimed';

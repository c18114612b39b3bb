-- Issuance's indexes, for the queries that read them and for the cost of writing them.
--
-- Every read of a device's issuances by time (the never-issued check, the automatic issuance's
-- pending hours, a re-issue's live Wh, a point's live issued hours) asks `device_id = $1` and a
-- range of production_starting_interval. The once-per-interval index of 0034 could not serve them:
-- its predicate names storage_allocation_id, which those queries do not, so each read every
-- issuance of the registry. The same rule as one index over every device issuance: an SD-GC
-- issuance has its own, never repeated storage_allocation_id in the key, so it collides with no
-- other, exactly as when 0034 left it out; an ordinary one has none, as before.
DROP INDEX issuances_device_interval_once;
CREATE UNIQUE INDEX issuances_device_interval_once ON issuances (device_id, production_starting_interval,
  reissue_of_bundle_id, storage_allocation_id) NULLS NOT DISTINCT WHERE device_id IS NOT NULL;

-- A unique column that is null on most rows: a unique index over only the rows that have a value
-- says the same (nulls never collide) without an entry for each of the others. Every production
-- issuance is neither a re-issue, nor an SD-GC, nor an import; no device bundle is imported.
ALTER TABLE issuances DROP CONSTRAINT issuances_reissue_of_bundle_id_key;
CREATE UNIQUE INDEX issuances_reissue_of_bundle_id_key ON issuances (reissue_of_bundle_id)
  WHERE reissue_of_bundle_id IS NOT NULL;
ALTER TABLE issuances DROP CONSTRAINT issuances_storage_allocation_id_key;
CREATE UNIQUE INDEX issuances_storage_allocation_id_key ON issuances (storage_allocation_id)
  WHERE storage_allocation_id IS NOT NULL;
ALTER TABLE issuances DROP CONSTRAINT issuances_imported_issuance_id_key;
CREATE UNIQUE INDEX issuances_imported_issuance_id_key ON issuances (imported_issuance_id)
  WHERE imported_issuance_id IS NOT NULL;
ALTER TABLE bundles DROP CONSTRAINT bundles_imported_range_start_key;
CREATE UNIQUE INDEX bundles_imported_range_start_key ON bundles (imported_issuance_id, certificate_bundle_id_range_start)
  WHERE imported_issuance_id IS NOT NULL;

-- A production device issues once per interval; a storage device issues SD-GCs once per allocation
-- (issuances.storage_allocation_id, unique since 0028), and several allocations may carry the same
-- production hour, so the interval rule is production's. The unique index 0030 made over device
-- issuances (imported ones have no device) now leaves SD-GC issuances out too: one index, over a
-- production device's own issuances. A number after 0030, which runs after 0028 on a new database
-- and replaced the constraint 0028 would otherwise have narrowed.
DROP INDEX issuances_device_interval_once;
CREATE UNIQUE INDEX issuances_device_interval_once ON issuances (device_id, production_starting_interval,
  reissue_of_bundle_id) NULLS NOT DISTINCT WHERE device_id IS NOT NULL AND storage_allocation_id IS NULL;

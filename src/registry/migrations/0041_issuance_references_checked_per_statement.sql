-- An issuance's references to the bundle it re-issues and to the imported record it stands for were
-- foreign keys: a trigger event for each inserted row, null or not, which for the thousands of
-- issuances one request inserts cost a tenth of the statement (measured, docs/benchmarks.md). Neither
-- referenced row can go away: imported issuances are immutable (0030, 0038), and bundles are from
-- now on never deleted (a registry keeps every certificate it issued, in whatever state; nothing in
-- Tally deleted one). So, as 0038 did for the metadata version, one check per inserting statement
-- over the rows it inserted says what the foreign keys said; `tally check` names any row that
-- escaped it (a trigger switched off by the database's owner).
ALTER TABLE issuances DROP CONSTRAINT issuances_reissue_of_bundle_id_fkey;
ALTER TABLE issuances DROP CONSTRAINT issuances_imported_issuance_id_fkey;

CREATE FUNCTION refuse_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% are never removed: % refused', TG_ARGV[0], TG_OP USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER bundles_never_deleted BEFORE DELETE ON bundles
  FOR EACH ROW EXECUTE FUNCTION refuse_removal('bundles');
CREATE TRIGGER bundles_no_truncate BEFORE TRUNCATE ON bundles
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_removal('bundles');

-- The metadata check of 0038 looks each distinct (device, version) pair up once, not each row: one
-- request names its device's one version thousands of times. The issuance it names is found only
-- when refusing.
DROP TRIGGER issuances_metadata_of_device ON issuances;
DROP FUNCTION issuances_name_their_devices_metadata();
CREATE FUNCTION issuances_reference_what_exists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  device bigint;
  metadata bigint;
  stray bigint;
BEGIN
  SELECT p.device_id, p.issuance_metadata_id INTO device, metadata
  FROM (SELECT DISTINCT device_id, issuance_metadata_id FROM added WHERE issuance_metadata_id IS NOT NULL) p
  WHERE NOT EXISTS (SELECT 1 FROM issuance_metadata m WHERE m.id = p.issuance_metadata_id AND m.device_id = p.device_id)
  LIMIT 1;
  IF FOUND THEN
    SELECT min(a.id) INTO stray FROM added a
    WHERE a.device_id IS NOT DISTINCT FROM device AND a.issuance_metadata_id = metadata;
    RAISE EXCEPTION 'issuance % names metadata that is not a version of its device', stray
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT a.id INTO stray FROM added a
  WHERE a.reissue_of_bundle_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bundles b WHERE b.id = a.reissue_of_bundle_id)
  LIMIT 1;
  IF stray IS NOT NULL THEN
    RAISE EXCEPTION 'issuance % re-issues a bundle that does not exist', stray USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT a.id INTO stray FROM added a
  WHERE a.imported_issuance_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM imported_issuances o WHERE o.id = a.imported_issuance_id)
  LIMIT 1;
  IF stray IS NOT NULL THEN
    RAISE EXCEPTION 'issuance % names an imported issuance that does not exist', stray
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER issuances_reference_what_exists AFTER INSERT ON issuances
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION issuances_reference_what_exists();

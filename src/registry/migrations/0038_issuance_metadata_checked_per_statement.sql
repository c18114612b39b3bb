-- The metadata version an issuance names must be one of its device's (0004). A foreign key checks
-- that row by row: a look-up and a share lock of the same version for each of the thousands of
-- issuances one request inserts, a tenth of the time a 5,000-hour issuance took (measured,
-- docs/benchmarks.md). A metadata version is never changed or removed (editing a device adds
-- one), so nothing can take a version away from an issuance that names it, and one check per
-- statement over the issuances it inserted says what the foreign key said. The database now
-- refuses any change to a version, as it does for issuances (0021).
ALTER TABLE issuances DROP CONSTRAINT issuances_device_id_issuance_metadata_id_fkey;

-- One refusal for every write-once table of the registry, the rows named by the trigger's argument:
-- issuances_refuse_change (0021) named issuances whichever table it guarded (imported issuances
-- too, 0030), so it gives way to this one, with the same words for issuances.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% are immutable: % refused', TG_ARGV[0], TG_OP USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER issuance_metadata_immutable BEFORE UPDATE OR DELETE ON issuance_metadata
  FOR EACH ROW EXECUTE FUNCTION refuse_change('issuance metadata versions');
CREATE TRIGGER issuance_metadata_no_truncate BEFORE TRUNCATE ON issuance_metadata
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('issuance metadata versions');
DROP TRIGGER issuances_immutable ON issuances;
DROP TRIGGER issuances_no_truncate ON issuances;
CREATE TRIGGER issuances_immutable BEFORE UPDATE OR DELETE ON issuances
  FOR EACH ROW EXECUTE FUNCTION refuse_change('issuances');
CREATE TRIGGER issuances_no_truncate BEFORE TRUNCATE ON issuances
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('issuances');
DROP TRIGGER imported_issuances_immutable ON imported_issuances;
DROP TRIGGER imported_issuances_no_truncate ON imported_issuances;
CREATE TRIGGER imported_issuances_immutable BEFORE UPDATE OR DELETE ON imported_issuances
  FOR EACH ROW EXECUTE FUNCTION refuse_change('imported issuances');
CREATE TRIGGER imported_issuances_no_truncate BEFORE TRUNCATE ON imported_issuances
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('imported issuances');
DROP FUNCTION issuances_refuse_change();

CREATE FUNCTION issuances_name_their_devices_metadata() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  stray bigint;
BEGIN
  SELECT a.id INTO stray FROM added a
  WHERE a.issuance_metadata_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM issuance_metadata m WHERE m.id = a.issuance_metadata_id AND m.device_id = a.device_id)
  LIMIT 1;
  IF stray IS NOT NULL THEN
    RAISE EXCEPTION 'issuance % names metadata that is not a version of its device', stray
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER issuances_metadata_of_device AFTER INSERT ON issuances
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION issuances_name_their_devices_metadata();

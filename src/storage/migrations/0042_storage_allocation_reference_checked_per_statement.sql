-- An SD-GC issuance names its storage allocation (0029): a foreign key that fired a trigger event
-- for every issuance inserted, null or not, thousands per production issuance request that have
-- no allocation at all. Allocations are from now on never removed (an allocation is only ever
-- withdrawn, which keeps its row), so, as 0041 did for the registry's own references, one check
-- per inserting statement says what the foreign key said, and `tally check` names any row that
-- escaped it.
ALTER TABLE issuances DROP CONSTRAINT issuances_storage_allocation_id_fkey;

CREATE TRIGGER storage_allocations_never_deleted BEFORE DELETE ON storage_allocations
  FOR EACH ROW EXECUTE FUNCTION refuse_removal('storage allocations');
CREATE TRIGGER storage_allocations_no_truncate BEFORE TRUNCATE ON storage_allocations
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_removal('storage allocations');

CREATE FUNCTION issuances_name_existing_allocations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  stray bigint;
BEGIN
  SELECT a.id INTO stray FROM added a
  WHERE a.storage_allocation_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM storage_allocations s WHERE s.id = a.storage_allocation_id)
  LIMIT 1;
  IF stray IS NOT NULL THEN
    RAISE EXCEPTION 'issuance % names a storage allocation that does not exist', stray
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER issuances_name_existing_allocations AFTER INSERT ON issuances
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION issuances_name_existing_allocations();

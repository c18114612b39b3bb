-- An issuance records what was issued, once: its device, interval, quantity and id range never
-- change and it is never removed (a withdrawal changes its bundles, a re-issue is a new issuance).
-- The database refuses any change, as it does for the ledger's events, so not even a bug can
-- rewrite what `tally check` compares every bundle against.
CREATE FUNCTION issuances_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'issuances are immutable: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER issuances_immutable BEFORE UPDATE OR DELETE ON issuances
  FOR EACH ROW EXECUTE FUNCTION issuances_refuse_change();
CREATE TRIGGER issuances_no_truncate BEFORE TRUNCATE ON issuances
  FOR EACH STATEMENT EXECUTE FUNCTION issuances_refuse_change();

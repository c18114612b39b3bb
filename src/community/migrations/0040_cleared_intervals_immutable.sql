-- A cleared interval and its matches record what clearing decided, once: clearing only moves
-- forward and never clears an interval again, and a match's payment state is kept apart
-- (community_match_states). The database refuses any change to them, as it does for issuances and
-- the ledger's events, so not even a bug can rewrite what members were billed; `tally check`
-- compares the stored matches with the digest their clearing recorded in the ledger.
CREATE FUNCTION community_cleared_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is written once by clearing: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER community_intervals_immutable BEFORE UPDATE OR DELETE ON community_intervals
  FOR EACH ROW EXECUTE FUNCTION community_cleared_refuse_change();
CREATE TRIGGER community_intervals_no_truncate BEFORE TRUNCATE ON community_intervals
  FOR EACH STATEMENT EXECUTE FUNCTION community_cleared_refuse_change();
CREATE TRIGGER community_interval_matches_immutable BEFORE UPDATE OR DELETE ON community_interval_matches
  FOR EACH ROW EXECUTE FUNCTION community_cleared_refuse_change();
CREATE TRIGGER community_interval_matches_no_truncate BEFORE TRUNCATE ON community_interval_matches
  FOR EACH STATEMENT EXECUTE FUNCTION community_cleared_refuse_change();

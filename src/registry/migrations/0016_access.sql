-- Certificates never land in a closed account. Every statement that puts live bundles into an
-- account (issuance, re-issue, transfer, a split) takes a share lock on that account's row, in id
-- order, and refuses a closed one. Closing takes the row FOR UPDATE and then looks for live
-- bundles, so the two serialise whichever path moves the certificates: the later one sees the
-- earlier one's result. The application checks first and answers with a proper error; this is
-- the floor under every path, including those that race. It raises serialization_failure
-- because only a concurrent close can make it fire after those checks: a retry gets the answer.
CREATE FUNCTION bundles_into_open_account() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  closed bigint;
BEGIN
  SELECT a.id INTO closed FROM (
    SELECT id, closed_at FROM accounts
    WHERE id IN (SELECT account_id FROM changed WHERE certificate_bundle_status IN ('active', 'reserved', 'locked'))
    ORDER BY id FOR SHARE) a
  WHERE a.closed_at IS NOT NULL LIMIT 1;
  IF closed IS NOT NULL THEN
    RAISE EXCEPTION 'account % is closed', closed USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER bundles_insert_into_open_account AFTER INSERT ON bundles
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bundles_into_open_account();
CREATE TRIGGER bundles_update_into_open_account AFTER UPDATE ON bundles
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bundles_into_open_account();

-- Joining an account takes the joining user's consent: a member invites (by user id or email,
-- whether or not such a user exists, so an invitation reveals nothing), the invited user accepts
-- or declines. No foreign key on user_id for the same reason.
CREATE TABLE account_invitations (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id  bigint NOT NULL REFERENCES accounts (id),
  user_id     bigint,
  email       text,
  invited_by  bigint NOT NULL REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz,
  accepted    boolean,
  CHECK ((user_id IS NULL) <> (email IS NULL)),
  CHECK ((answered_at IS NULL) = (accepted IS NULL))
);
CREATE INDEX account_invitations_user ON account_invitations (user_id) WHERE answered_at IS NULL;
CREATE INDEX account_invitations_email ON account_invitations (lower(email)) WHERE answered_at IS NULL;

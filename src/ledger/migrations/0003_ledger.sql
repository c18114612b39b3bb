-- Every state change of Tally appends one event here, in the same transaction as the change.
CREATE TABLE events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type         text NOT NULL,
  subject_type text NOT NULL,
  subject_id   text NOT NULL,
  -- Accounts whose holdings the event touches: who may read it, and a filter.
  account_ids  bigint[] NOT NULL DEFAULT '{}',
  actor_id     bigint,
  payload      jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  -- The writing transaction: the sealer orders events by it and seals only finished transactions.
  xact_id      xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX events_order ON events (xact_id, id);
CREATE INDEX events_subject ON events (subject_type, subject_id, id);
CREATE INDEX events_accounts ON events USING gin (account_ids);

CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

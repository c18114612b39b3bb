-- Sealed blocks: committed events grouped in commit order, each block holding the RFC 6962
-- Merkle root of its events' leaf hashes and the hash of the block before it.
CREATE TABLE ledger_blocks (
  height        bigint PRIMARY KEY CHECK (height >= 1),
  size          integer NOT NULL CHECK (size >= 1),
  root          text NOT NULL,
  previous_hash text NOT NULL,
  block_hash    text NOT NULL UNIQUE,
  -- The commit-order position of the block's last event: the next block starts after it.
  last_xact_id  xid8 NOT NULL,
  last_event_id bigint NOT NULL,
  sealed_at     timestamptz NOT NULL
);

CREATE TABLE ledger_leaves (
  event_id     bigint PRIMARY KEY REFERENCES events (id),
  block_height bigint NOT NULL REFERENCES ledger_blocks (height),
  leaf_index   integer NOT NULL,
  leaf_hash    text NOT NULL,
  UNIQUE (block_height, leaf_index)
);

-- Sealed history is as append-only as the events it seals.
CREATE TRIGGER ledger_blocks_append_only BEFORE UPDATE OR DELETE ON ledger_blocks
  FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER ledger_blocks_no_truncate BEFORE TRUNCATE ON ledger_blocks
  FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER ledger_leaves_append_only BEFORE UPDATE OR DELETE ON ledger_leaves
  FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER ledger_leaves_no_truncate BEFORE TRUNCATE ON ledger_leaves
  FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

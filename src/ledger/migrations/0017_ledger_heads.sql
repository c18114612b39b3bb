-- Signed heads: what Certificate Transparency gives its logs. Every key that ever signed a head
-- stays listed, so a head signed before a key rotation still verifies; every block's head is
-- signed once, and neither table may change afterwards.
CREATE TABLE ledger_keys (
  -- SHA-256 of the public key's DER (SubjectPublicKeyInfo), hex: as RFC 6962 names a log.
  key_id     text PRIMARY KEY,
  public_key text NOT NULL,
  added_at   timestamptz NOT NULL DEFAULT now()
);

-- Exactly what was signed, kept apart from the block it describes: a block changed later no
-- longer matches its head, and the head still verifies as it was signed.
CREATE TABLE ledger_heads (
  height     bigint PRIMARY KEY REFERENCES ledger_blocks (height),
  block_hash text NOT NULL,
  -- Events in the whole log up to and including this block.
  size       bigint NOT NULL CHECK (size >= 1),
  -- The block's sealed_at.
  timestamp  timestamptz NOT NULL,
  key_id     text NOT NULL REFERENCES ledger_keys (key_id),
  signature  text NOT NULL
);

CREATE TRIGGER ledger_keys_append_only BEFORE UPDATE OR DELETE ON ledger_keys
  FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER ledger_keys_no_truncate BEFORE TRUNCATE ON ledger_keys
  FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER ledger_heads_append_only BEFORE UPDATE OR DELETE ON ledger_heads
  FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER ledger_heads_no_truncate BEFORE TRUNCATE ON ledger_heads
  FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

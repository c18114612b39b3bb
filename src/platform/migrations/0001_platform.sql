-- Settings Tally generates for itself on first start (e.g. the token signing secret), so that
-- every instance sharing a database agrees on them without manual set-up.
CREATE TABLE platform_settings (
  name  text PRIMARY KEY,
  value text NOT NULL
);

-- Idempotency-Key: the first answer to a (caller, key) is kept and returned to every retry.
-- A row without status_code is a request still in progress.
CREATE TABLE idempotency_keys (
  caller       text NOT NULL,
  key          text NOT NULL,
  method       text NOT NULL,
  path         text NOT NULL,
  request_hash text NOT NULL,
  status_code  integer,
  content_type text,
  body         text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

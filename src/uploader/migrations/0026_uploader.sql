-- The uploader (Ocean Protocol's, wire-compatible): storage providers that register themselves,
-- the quotes they give users, and each user's last accepted nonce.

-- One provider per storage type; it stays active while it re-registers (every 10 minutes at least).
CREATE TABLE uploader_providers (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type               text NOT NULL UNIQUE CHECK (length(type) BETWEEN 1 AND 64),
  description        text NOT NULL CHECK (length(description) <= 1000),
  url                text NOT NULL CHECK (url ~ '^https?://'),
  payment            jsonb NOT NULL,
  signer             text NOT NULL CHECK (signer ~ '^0x[0-9A-Fa-f]{40}$'),
  registered_at      timestamptz NOT NULL,
  last_registered_at timestamptz NOT NULL,
  active             boolean NOT NULL DEFAULT true
);

-- A quote as its provider returned it. Status follows Ocean's ranges: 1–99 waiting for files,
-- 100–199 paying, 200–299 payment failed, 300–399 uploading, 400 done, 401–499 upload failed.
CREATE TABLE uploader_quotes (
  quote_id        text PRIMARY KEY CHECK (length(quote_id) BETWEEN 1 AND 255),
  provider_id     bigint NOT NULL REFERENCES uploader_providers (id),
  type            text NOT NULL,
  user_address    text NOT NULL CHECK (user_address ~ '^0x[0-9A-Fa-f]{40}$'),
  files           jsonb NOT NULL,
  total_bytes     bigint NOT NULL CHECK (total_bytes >= 0),
  token_amount    numeric(78, 0) NOT NULL CHECK (token_amount >= 0),
  approve_address text NOT NULL,
  chain_id        bigint NOT NULL,
  token_address   text NOT NULL,
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL CHECK (expires_at > created_at),
  status          integer NOT NULL CHECK (status BETWEEN 1 AND 499),
  used_at         timestamptz,
  CHECK ((used_at IS NULL) = (status < 100))
);
CREATE INDEX uploader_quotes_user ON uploader_quotes (user_address, created_at DESC, quote_id DESC);

-- The last nonce accepted from each user (lower-case address), across every quote and route:
-- a signed request carries a larger one, compared as numbers.
CREATE TABLE uploader_nonces (
  user_address text PRIMARY KEY CHECK (user_address ~ '^0x[0-9a-f]{40}$'),
  last_nonce   numeric(78, 0) NOT NULL CHECK (last_nonce >= 0)
);

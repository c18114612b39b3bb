-- The forecasting data market. Money is in the market token's base units, as numeric(78,0): whole
-- numbers up to 2^256 (an ERC-20 amount), never a float; the drivers read them as bigint.

-- A user as the market knows them: the UUID faces name them by (DSBI), their wallet and balance.
-- The balance is the sum of their transactions and is never negative.
CREATE TABLE market_participants (
  user_id              bigint PRIMARY KEY REFERENCES users (id),
  uuid                 uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  wallet_address       text UNIQUE CHECK (wallet_address ~ '^0x[0-9A-Fa-f]{40}$'),
  -- When the wallet was proven by a signature over a challenge; null: typed in, unproven.
  wallet_proven_at     timestamptz,
  wallet_registered_at timestamptz,
  balance              numeric(78,0) NOT NULL DEFAULT 0 CHECK (balance >= 0),
  total_deposit        numeric(78,0) NOT NULL DEFAULT 0 CHECK (total_deposit >= 0),
  total_withdraw       numeric(78,0) NOT NULL DEFAULT 0 CHECK (total_withdraw >= 0),
  total_payment        numeric(78,0) NOT NULL DEFAULT 0 CHECK (total_payment >= 0),
  total_revenue        numeric(78,0) NOT NULL DEFAULT 0 CHECK (total_revenue >= 0),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK ((wallet_address IS NULL) = (wallet_registered_at IS NULL)),
  CHECK (wallet_proven_at IS NULL OR wallet_address IS NOT NULL)
);

-- A challenge a user signs to prove a wallet: single use, short-lived.
CREATE TABLE market_wallet_challenges (
  nonce      text PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id),
  message    text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX market_wallet_challenges_user ON market_wallet_challenges (user_id);

-- The market's own wallet: one row at most.
CREATE TABLE market_wallet (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  address       text NOT NULL CHECK (address ~ '^0x[0-9A-Fa-f]{40}$'),
  registered_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE market_resources (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id           bigint NOT NULL REFERENCES users (id),
  name              text NOT NULL CHECK (name ~ '^[a-z0-9_-]{1,64}$'),
  type              text NOT NULL CHECK (type IN ('measurements', 'features')),
  to_forecast       boolean NOT NULL,
  -- Bound to a metering point, the series comes from its readings; otherwise from uploaded data.
  metering_point_id text REFERENCES metering_points (id),
  registered_at     timestamptz NOT NULL DEFAULT now(),
  -- A deleted resource keeps its id for the bids, forecasts and revenues that name it.
  deleted_at        timestamptz,
  CHECK (NOT to_forecast OR type = 'measurements')
);
CREATE UNIQUE INDEX market_resources_name ON market_resources (user_id, name, type) WHERE deleted_at IS NULL;
CREATE INDEX market_resources_point ON market_resources (metering_point_id) WHERE metering_point_id IS NOT NULL;

-- Uploaded data as sent (value in its units over its interval): it reads back as it came.
CREATE TABLE market_data (
  resource_id   uuid NOT NULL REFERENCES market_resources (id),
  datetime      timestamptz NOT NULL,
  value         double precision NOT NULL CHECK (value = value AND value > '-Infinity' AND value < 'Infinity'),
  units         text NOT NULL CHECK (units IN ('w', 'kw', 'mw')),
  time_interval smallint NOT NULL CHECK (time_interval IN (5, 15, 30, 60)),
  PRIMARY KEY (resource_id, datetime)
);

CREATE TABLE market_sessions (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_number integer NOT NULL CHECK (session_number >= 0),
  session_date  date NOT NULL,
  status        text NOT NULL DEFAULT 'staged'
                CHECK (status IN ('staged', 'open', 'closed', 'running', 'finished')),
  market_price  numeric(78,0) NOT NULL CHECK (market_price > 0),
  b_min         numeric(78,0) NOT NULL CHECK (b_min > 0),
  b_max         numeric(78,0) NOT NULL CHECK (b_max >= b_min),
  n_price_steps integer NOT NULL CHECK (n_price_steps BETWEEN 2 AND 1000),
  delta         double precision NOT NULL CHECK (delta > 0 AND delta <= 1),
  weights       double precision[] NOT NULL CHECK (cardinality(weights) = n_price_steps),
  staged_at     timestamptz NOT NULL DEFAULT now(),
  open_at       timestamptz,
  close_at      timestamptz,
  launch_at     timestamptz,
  finish_at     timestamptz,
  -- What makes the run reproducible: its seed and the hash of its inputs; and its report.
  seed          bigint,
  inputs_hash   text,
  fee           numeric(78,0) CHECK (fee >= 0),
  report        jsonb,
  UNIQUE (session_number, session_date)
);
-- Only one session is open at a time.
CREATE UNIQUE INDEX market_sessions_one_open ON market_sessions ((true)) WHERE status = 'open';

CREATE TABLE market_bids (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id    bigint NOT NULL REFERENCES market_sessions (id),
  user_id       bigint NOT NULL REFERENCES users (id),
  resource_id   uuid NOT NULL REFERENCES market_resources (id),
  bid_price     numeric(78,0) NOT NULL CHECK (bid_price > 0),
  max_payment   numeric(78,0) NOT NULL CHECK (max_payment > 0),
  gain_func     text NOT NULL CHECK (gain_func IN ('mse', 'rmse', 'mae')),
  -- The payment's reference on a chain (a transaction hash), recorded once, never reused; the
  -- internal rail confirms bids from balances, without one.
  tx_hash       text UNIQUE,
  -- Why the last check of the payment refused it; null once confirmed or before any check.
  payment_refusal text,
  confirmed_at  timestamptz,
  has_forecasts boolean NOT NULL DEFAULT false,
  registered_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (session_id, user_id, resource_id)
);
CREATE INDEX market_bids_user ON market_bids (user_id);

-- Every movement of a balance. Signs: transfer_in and revenue add, payment and transfer_out take.
-- A transfer_in belongs to the bid whose payment it is, or (internal rail) to no session: an
-- admin's credit.
CREATE TABLE market_transactions (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id       bigint REFERENCES market_sessions (id),
  bid_id           uuid UNIQUE REFERENCES market_bids (id),
  user_id          bigint NOT NULL REFERENCES users (id),
  resource_id      uuid REFERENCES market_resources (id),
  transaction_type text NOT NULL CHECK (transaction_type IN ('transfer_in', 'payment', 'revenue', 'transfer_out')),
  amount           numeric(78,0) NOT NULL,
  registered_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (session_id IS NOT NULL OR transaction_type = 'transfer_in'),
  CHECK (bid_id IS NULL OR transaction_type = 'transfer_in'),
  CHECK (CASE WHEN transaction_type IN ('transfer_in', 'revenue') THEN amount >= 0 ELSE amount <= 0 END)
);
CREATE INDEX market_transactions_session ON market_transactions (session_id, user_id);
CREATE INDEX market_transactions_user ON market_transactions (user_id, id);
CREATE UNIQUE INDEX market_transactions_once ON market_transactions (session_id, user_id, resource_id, transaction_type)
  WHERE transaction_type IN ('payment', 'revenue');

-- A payout of a user's balance to their wallet: the transaction is signed (and its hash stored)
-- before it is broadcast, so a crash between the two never sends twice.
CREATE TABLE market_payouts (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id        bigint NOT NULL REFERENCES users (id),
  session_id     bigint NOT NULL REFERENCES market_sessions (id),
  amount         numeric(78,0) NOT NULL CHECK (amount > 0),
  wallet_address text NOT NULL CHECK (wallet_address ~ '^0x[0-9A-Fa-f]{40}$'),
  tx_hash        text UNIQUE,
  signed_tx      text,
  solid_at       timestamptz,
  registered_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (solid_at IS NULL OR tx_hash IS NOT NULL)
);
CREATE INDEX market_payouts_pending ON market_payouts (id) WHERE solid_at IS NULL;

CREATE TABLE market_forecasts (
  bid_id      uuid NOT NULL REFERENCES market_bids (id),
  datetime    timestamptz NOT NULL,
  q10         double precision NOT NULL,
  q50         double precision NOT NULL,
  q90         double precision NOT NULL,
  PRIMARY KEY (bid_id, datetime),
  CHECK (q10 <= q50 AND q50 <= q90)
);

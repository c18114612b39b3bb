-- The holder's reference on a bundle: the one field of a bundle its holder changes in place
-- (update_mutables). Account and status change only by the actions, which record them as such.
ALTER TABLE bundles ADD COLUMN holder_reference text
  CHECK (holder_reference IS NULL OR char_length(holder_reference) BETWEEN 1 AND 200);

-- A standing order: once per period, transfer or cancel a fixed number of Wh matching a
-- selection from an account. The n-th period (n from 0) starts at first_period_start plus n
-- times period_quantity period_units; the job runs each period once, in order.
CREATE TABLE standing_orders (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id           bigint NOT NULL REFERENCES accounts (id),
  action               text NOT NULL CHECK (action IN ('transfer', 'cancel')),
  target_id            bigint REFERENCES accounts (id),
  beneficiary          text CHECK (char_length(beneficiary) BETWEEN 1 AND 500),
  purpose              text CHECK (char_length(purpose) BETWEEN 1 AND 500),
  -- The registry's bundle filter without the account: which bundles each run selects.
  selection            jsonb NOT NULL,
  certificate_quantity bigint NOT NULL CHECK (certificate_quantity > 0),
  -- false: a run that cannot take the whole quantity moves nothing; true: it takes what there is.
  partial              boolean NOT NULL DEFAULT false,
  first_period_start   timestamptz NOT NULL,
  period_unit          text NOT NULL CHECK (period_unit IN ('hour', 'day', 'week', 'month')),
  period_quantity      integer NOT NULL CHECK (period_quantity BETWEEN 1 AND 1000),
  -- How many periods run, the first included; NULL: until the order is ended.
  number_of_runs       integer CHECK (number_of_runs BETWEEN 1 AND 100000),
  created_by           bigint REFERENCES users (id),
  created_at           timestamptz NOT NULL,
  ended_at             timestamptz,
  ended_by             bigint REFERENCES users (id),
  CHECK ((action = 'transfer') = (target_id IS NOT NULL)),
  CHECK ((action = 'cancel') = (beneficiary IS NOT NULL)),
  CHECK (target_id IS DISTINCT FROM account_id)
);
CREATE INDEX standing_orders_account ON standing_orders (account_id, id);
CREATE INDEX standing_orders_open ON standing_orders (id) WHERE ended_at IS NULL;

-- One row per period an order ran: the primary key is the "exactly once per period".
CREATE TABLE standing_order_runs (
  order_id             bigint NOT NULL REFERENCES standing_orders (id),
  sequence             integer NOT NULL CHECK (sequence >= 0),
  period_start         timestamptz NOT NULL,
  ran_at               timestamptz NOT NULL,
  outcome              text NOT NULL CHECK (outcome IN ('fulfilled', 'partial', 'unfulfilled')),
  certificate_quantity bigint NOT NULL CHECK (certificate_quantity >= 0),
  -- The ledger event of the action the run performed; none when it moved nothing.
  action_id            bigint REFERENCES events (id),
  -- Why a run did not take the whole quantity: the refusal's problem code and message.
  reason_code          text,
  reason               text,
  PRIMARY KEY (order_id, period_start),
  UNIQUE (order_id, sequence),
  -- An action is one run's, never two runs'.
  UNIQUE (action_id),
  CHECK ((outcome = 'unfulfilled') = (action_id IS NULL)),
  CHECK ((outcome = 'unfulfilled') = (certificate_quantity = 0)),
  CHECK ((outcome = 'fulfilled') = (reason_code IS NULL))
);

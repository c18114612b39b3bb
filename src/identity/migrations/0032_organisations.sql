-- Organisations: the legal parties of the registry (the EnergyTag draft's), which own users and
-- accounts. They are identity's, like users: who someone is, not what an account holds. A user
-- belongs to at most one organisation, an account to at most one (fixed when it is created);
-- access to an account stays its membership (decision 0014). Deleting an organisation marks it
-- (`deleted_at`): the ledger, closed accounts and deactivated users still name it.
CREATE TABLE organisations (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL,
  -- The draft's integer business id (a national company number); not unique, since the draft
  -- names no country and two countries may number two companies alike.
  business_id bigint NOT NULL CHECK (business_id >= 0),
  email       text NOT NULL,
  address     text,
  website     text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz
);

ALTER TABLE users ADD COLUMN organisation_id bigint REFERENCES organisations (id);
-- A deactivated user cannot log in and its tokens and API keys stop working; it is never erased,
-- since the ledger names users as the actors of its events.
ALTER TABLE users ADD COLUMN deactivated_at timestamptz;
CREATE INDEX users_organisation ON users (organisation_id) WHERE organisation_id IS NOT NULL;

-- The accounts module's table, changed here in the one migration that brings organisations: the
-- column refers to identity's table (the account tables themselves were created by the registry's
-- migrations, which ran before accounts were a module).
ALTER TABLE accounts ADD COLUMN organisation_id bigint REFERENCES organisations (id);
CREATE INDEX accounts_organisation ON accounts (organisation_id) WHERE organisation_id IS NOT NULL;

-- Leases for jobs that talk to the outside world: a transaction-level advisory lock would keep a
-- transaction open across network calls and hold the ledger's commit horizon back, so such a
-- job instead takes a lease row for a bounded time and runs its work in short transactions.
CREATE TABLE job_leases (
  name        text PRIMARY KEY,
  holder      text NOT NULL,
  lease_until timestamptz NOT NULL
);

-- Keys whose first request committed work, written in that work's own transaction (see
-- platform/idempotent-work.ts): a retry of a key here whose answer was not stored is refused
-- instead of run twice. Forgotten with the answers, after a day.
CREATE TABLE idempotency_work (
  caller       text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_work_created ON idempotency_work (created_at);

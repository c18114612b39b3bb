-- Publications: documents Tally put on decentralised storage through its own uploader, signed and
-- paid by Tally's publisher wallet. Each attempt is kept with what it came to: the uploader's final
-- status, and the content id when the storage holds the document. The document's SHA-256 lets
-- anyone check that the bytes behind the CID are the ones Tally published; the ledger event written
-- with the row binds both.
CREATE TABLE publications (
  id            uuid PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('disclosure', 'ledger_block', 'market_forecasts')),
  subject_id    text NOT NULL CHECK (length(subject_id) BETWEEN 1 AND 64),
  storage_type  text NOT NULL,
  quote_id      text NOT NULL UNIQUE,
  status        integer NOT NULL CHECK (status BETWEEN 200 AND 499),
  cid           text CHECK (cid IS NULL OR length(cid) BETWEEN 1 AND 255),
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes         bigint NOT NULL CHECK (bytes > 0),
  file_name     text NOT NULL,
  failure       text,
  published_by  bigint NOT NULL,
  created_at    timestamptz NOT NULL,
  -- Published means stored and named: a CID only when the uploader says 400, and a failure
  -- exactly when there is no CID (a storage that stored it but could not name it included).
  CHECK (cid IS NULL OR status = 400),
  CHECK ((cid IS NULL) = (failure IS NOT NULL))
);
CREATE INDEX publications_subject ON publications (kind, subject_id, created_at DESC);
CREATE INDEX publications_created ON publications (created_at DESC, id DESC);

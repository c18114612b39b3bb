-- A large event payload (an issuance of thousands of bundles is half a megabyte of JSON) is
-- compressed when it is stored; PostgreSQL's default method, pglz, took as long as parsing the
-- payload and twice as long as lz4 (measured, docs/benchmarks.md), and reading it back is faster
-- with lz4 too. Where the server was built without lz4 (the embedded PGlite is), the column keeps
-- pglz: the method is how a value is stored, not what it is, and each value records its own.
DO $$
BEGIN
  ALTER TABLE events ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END $$;

-- Idempotency-Key: only finished answers are stored. A request still at work holds its claim in
-- the memory or the database session of the process running it (platform/http/claims.ts), so a
-- crash cannot leave a key "in progress". Rows left in progress by earlier versions are freed.
DELETE FROM idempotency_keys WHERE status_code IS NULL;
ALTER TABLE idempotency_keys ALTER COLUMN status_code SET NOT NULL;
ALTER TABLE idempotency_keys ALTER COLUMN body SET NOT NULL;

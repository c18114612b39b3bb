-- A device is decommissioned, never deleted: its certificates, readings and events name it. From
-- that instant on nothing more is issued for it; hours produced before stay issuable.
ALTER TABLE devices ADD COLUMN decommissioned_at timestamptz;

-- Devices whose linked production metering points feed automatic hourly issuance.
ALTER TABLE devices ADD COLUMN auto_issue boolean NOT NULL DEFAULT false;

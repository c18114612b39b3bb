-- Which metered hours each issuance consumed, per production metering point. The primary key is
-- the promise that an hour of metered production is issued at most once, whatever device the
-- point feeds later: a second issuance of the same point hour fails here, not in a check. A
-- re-issue keeps the rows of the issuance it replaces. Imports lock the point row and look here
-- before revising a reading, so issuance and revision of the same hour take turns.
CREATE TABLE issued_point_hours (
  metering_point_id text NOT NULL REFERENCES metering_points (id),
  hour_start        timestamptz NOT NULL,
  issuance_id       bigint NOT NULL REFERENCES issuances (id),
  PRIMARY KEY (metering_point_id, hour_start)
);
CREATE INDEX issued_point_hours_issuance ON issued_point_hours (issuance_id);

-- Existing original issuances consumed the UTC hours they touch of the production points their
-- device has now, where the point has readings in that hour; the earliest issuance of a point
-- hour keeps it.
INSERT INTO issued_point_hours (metering_point_id, hour_start, issuance_id)
SELECT DISTINCT ON (p.id, h.hour) p.id, h.hour, i.id
FROM issuances i
JOIN metering_points p ON p.device_id = i.device_id AND p.type = 'production'
CROSS JOIN LATERAL generate_series(date_trunc('hour', i.production_starting_interval, 'UTC'),
                                   i.production_ending_interval - interval '1 microsecond', interval '1 hour') AS h(hour)
WHERE i.reissue_of_bundle_id IS NULL
  AND EXISTS (SELECT 1 FROM readings r WHERE r.metering_point_id = p.id
                AND r.interval_start >= h.hour AND r.interval_start < h.hour + interval '1 hour')
ORDER BY p.id, h.hour, i.id;

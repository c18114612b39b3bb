-- Every device a production point has ever fed. Issuance of a device that no point feeds any
-- more still answers to the points that once fed it, so moving a point away cannot turn its
-- metered hours into certificates a second time by hand. A trigger keeps it on every path that
-- links a point (create, update, any future one).
CREATE TABLE point_device_links (
  device_id         bigint NOT NULL,
  metering_point_id text NOT NULL REFERENCES metering_points (id) ON DELETE CASCADE,
  first_linked_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, metering_point_id)
);

CREATE FUNCTION remember_point_device_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.device_id IS NOT NULL AND NEW.type = 'production' THEN
    INSERT INTO point_device_links (device_id, metering_point_id) VALUES (NEW.device_id, NEW.id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER metering_points_remember_link AFTER INSERT OR UPDATE OF device_id ON metering_points
  FOR EACH ROW EXECUTE FUNCTION remember_point_device_link();

INSERT INTO point_device_links (device_id, metering_point_id)
SELECT device_id, id FROM metering_points WHERE device_id IS NOT NULL AND type = 'production';

-- Links made before this table existed are in the ledger: every creation or change of a point
-- recorded the device it fed then.
INSERT INTO point_device_links (device_id, metering_point_id, first_linked_at)
SELECT (e.payload->>'device_id')::bigint, p.id, min(e.recorded_at)
FROM events e JOIN metering_points p ON p.id = e.subject_id AND p.type = 'production'
WHERE e.subject_type = 'metering_point' AND e.type IN ('metering_point.created', 'metering_point.updated')
  AND e.payload->>'device_id' IS NOT NULL
GROUP BY 1, 2
ON CONFLICT DO NOTHING;

-- With that history, issuances made under a point's earlier device claim its hours too (0014
-- could see only the device each point feeds now): the earliest issuance of a point hour keeps it.
INSERT INTO issued_point_hours (metering_point_id, hour_start, issuance_id)
SELECT DISTINCT ON (l.metering_point_id, h.hour) l.metering_point_id, h.hour, i.id
FROM issuances i
JOIN point_device_links l ON l.device_id = i.device_id
CROSS JOIN LATERAL generate_series(date_trunc('hour', i.production_starting_interval, 'UTC'),
                                   i.production_ending_interval - interval '1 microsecond', interval '1 hour') AS h(hour)
WHERE i.reissue_of_bundle_id IS NULL
  AND EXISTS (SELECT 1 FROM readings r WHERE r.metering_point_id = l.metering_point_id
                AND r.interval_start >= h.hour AND r.interval_start < h.hour + interval '1 hour')
ORDER BY l.metering_point_id, h.hour, i.id
ON CONFLICT DO NOTHING;

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

-- What the DSBI face shows besides the native API: when each uploaded value was last written, and
-- users' notification switches (DSBI's user notifications; Tally sends no notification itself).
ALTER TABLE market_data ADD COLUMN registered_at timestamptz NOT NULL DEFAULT now();

-- Kinds of notification a user may switch on or off; DSBI's five to start with.
CREATE TABLE market_notification_types (
  id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 255)
);
INSERT INTO market_notification_types (name) VALUES ('bid'), ('session'), ('market'), ('forecast'), ('data');

-- A user's switch for one notification; made on the user's first look (notifications.ts).
CREATE TABLE market_notifications (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id),
  type_id     bigint NOT NULL REFERENCES market_notification_types (id) ON DELETE CASCADE,
  title       text NOT NULL CHECK (length(title) <= 255),
  description text NOT NULL CHECK (length(description) <= 255),
  state       boolean NOT NULL DEFAULT true
);
CREATE INDEX market_notifications_user ON market_notifications (user_id, type_id);

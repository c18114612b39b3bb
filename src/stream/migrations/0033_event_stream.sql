-- How far each event stream has published the log: the last event a stream acknowledged, in the
-- log's order (transaction, then id). The stream's own last message is what a publisher resumes
-- after; this row records it for the lag metric and for people.
CREATE TABLE event_stream_cursors (
  stream        text PRIMARY KEY,
  last_xact_id  xid8 NOT NULL,
  last_event_id bigint NOT NULL,
  published_at  timestamptz NOT NULL
);

-- The outbox relay's bookkeeping (issue 14). A row Kafka will never accept (too large, an invalid topic
-- name) is set aside with the reason instead of blocking every later row; "pending" means neither
-- published nor set aside. An operator re-queues a set-aside row once it is fixed:
--   UPDATE event_outbox SET failed_at = NULL, failure = NULL WHERE seq = ...;
ALTER TABLE event_outbox ADD COLUMN IF NOT EXISTS failed_at timestamptz;
ALTER TABLE event_outbox ADD COLUMN IF NOT EXISTS failure text;

CREATE INDEX IF NOT EXISTS event_outbox_pending ON event_outbox (seq) WHERE published_at IS NULL AND failed_at IS NULL;
CREATE INDEX IF NOT EXISTS event_outbox_set_aside ON event_outbox (seq) WHERE failed_at IS NOT NULL;
DROP INDEX IF EXISTS event_outbox_unpublished;

CREATE TABLE messages (
    notification_id   uuid PRIMARY KEY,
    episode_id        uuid        NOT NULL,
    audience          text        NOT NULL,
    channel           text        NOT NULL,
    recipient_ref     text        NOT NULL,
    template          text        NOT NULL,
    body              text        NOT NULL,
    trigger_event_id  text        NOT NULL,
    urgent            boolean     NOT NULL DEFAULT false,
    status            text        NOT NULL,
    requested_at      timestamptz NOT NULL,
    delivered_at      timestamptz,
    UNIQUE (trigger_event_id, audience, channel, recipient_ref)
);

CREATE INDEX messages_by_recipient ON messages (recipient_ref, requested_at DESC);

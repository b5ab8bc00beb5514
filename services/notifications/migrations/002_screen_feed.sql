-- The live feed every screen subscribes to: one row per event, ids only (no personal data), with
-- what decides who may see it (the episode's team and the staff assigned to the person).
CREATE TABLE screen_feed (
    seq          bigserial PRIMARY KEY,
    event_id     text        NOT NULL UNIQUE,
    episode_id   uuid        NOT NULL,
    type         text        NOT NULL,
    at           timestamptz NOT NULL,
    referral_id  uuid,
    visit_id     uuid,
    staff_id     uuid
);
CREATE INDEX screen_feed_by_episode ON screen_feed (episode_id, seq);

CREATE TABLE episode_access (
    episode_id    uuid PRIMARY KEY,
    referral_id   uuid,
    team          text,
    submitted_by  text
);

CREATE TABLE episode_staff (
    episode_id  uuid NOT NULL,
    staff_id    uuid NOT NULL,
    PRIMARY KEY (episode_id, staff_id)
);
CREATE INDEX episode_staff_by_staff ON episode_staff (staff_id);

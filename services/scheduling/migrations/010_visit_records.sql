-- The clinician app (issue 7): what happened at each visit, as recorded on the phone.

-- Every action a clinician took in the app, once: the phone's Idempotency-Key (made when the action
-- was taken, offline or not) is the key, so a retry or a replayed offline queue returns the first
-- result and emits nothing new. `taken_at` is when it happened on the phone, `received_at` when the
-- server had it. `body` is what was recorded; `result` what the app was told.
CREATE TABLE field_actions (
    idempotency_key uuid PRIMARY KEY,
    staff_id        uuid        NOT NULL,
    action          text        NOT NULL,
    episode_id      uuid        NOT NULL,
    visit_id        uuid,
    taken_at        timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    body            jsonb       NOT NULL,
    result          jsonb       NOT NULL,
    event_ids       text[]      NOT NULL DEFAULT '{}'
);
CREATE INDEX field_actions_by_episode ON field_actions (episode_id, taken_at);

-- One row per visit someone has started to record: the times, the outcome, what was done and said.
-- It is what "what happened last time" shows to the next person who visits.
CREATE TABLE visit_records (
    visit_id          uuid PRIMARY KEY REFERENCES visits (visit_id),
    episode_id        uuid        NOT NULL,
    staff_id          uuid        NOT NULL,
    en_route_at       timestamptz,
    expected_arrival  timestamptz,
    arrived_at        timestamptz,
    running_late_minutes integer,
    completed_at      timestamptz,
    missed_at         timestamptz,
    missed_reason     text,
    tasks_done        text[]      NOT NULL DEFAULT '{}',
    notes             text[]      NOT NULL DEFAULT '{}',
    concerns          text        NOT NULL DEFAULT '',
    news2_score       integer,
    news2_band        text,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visit_records_by_episode ON visit_records (episode_id);

-- Assessments taken at visits: NEWS2 observations (scored here as well as on the phone), initial,
-- review, falls risk, Clinical Frailty Scale.
CREATE TABLE assessments (
    assessment_id         uuid PRIMARY KEY,
    episode_id            uuid        NOT NULL,
    visit_id              uuid,
    staff_id              uuid        NOT NULL,
    kind                  text        NOT NULL,
    recorded_at           timestamptz NOT NULL,
    observations          jsonb,
    news2_score           integer,
    news2_band            text,
    clinical_frailty_scale integer,
    summary               text        NOT NULL DEFAULT '',
    serious_concern       boolean     NOT NULL DEFAULT false
);
CREATE INDEX assessments_by_episode ON assessments (episode_id, recorded_at);

-- Consent recorded during the episode (professional sharing, family involvement) and its withdrawal.
CREATE TABLE consents (
    consent_id        uuid PRIMARY KEY,
    episode_id        uuid        NOT NULL,
    scope             text        NOT NULL,
    family_contact_id uuid,
    recorded_at       timestamptz NOT NULL,
    recorded_by       uuid        NOT NULL,
    withdrawn_at      timestamptz
);
CREATE INDEX consents_by_episode ON consents (episode_id, scope);

-- Which visits each person's app has been shown. A visit later given to someone else answers that
-- person with 409 ("reassigned"), so the phone shows a conflict; a visit never shown stays 404.
CREATE TABLE visits_shown (
    visit_id  uuid        NOT NULL,
    staff_id  uuid        NOT NULL,
    shown_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (visit_id, staff_id)
);

-- The case's trace and correlation id are taken from the last event emitted for the episode.
CREATE INDEX IF NOT EXISTS event_outbox_by_key ON event_outbox (record_key, seq);

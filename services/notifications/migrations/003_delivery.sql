-- Messages to people: the delivery pipeline's state on each message, and what the triggers need to
-- know about each episode (who the person is and how they want to be told, consent, visits, and what
-- happened for the GP's discharge summary). Personal data stays in this database: never in events,
-- logs, spans or metric labels.
ALTER TABLE messages
    ADD COLUMN subject          text        NOT NULL DEFAULT '',
    ADD COLUMN payload          jsonb,
    ADD COLUMN attempts         integer     NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at  timestamptz,
    ADD COLUMN last_attempt_at  timestamptz,
    ADD COLUMN last_error       text,
    ADD COLUMN finished_at      timestamptz,
    ADD COLUMN correlation_id   text,
    ADD COLUMN trace_headers    jsonb       NOT NULL DEFAULT '{}';

-- status: pending -> delivered | failed | cancelled (in-app messages are delivered when stored)
CREATE INDEX messages_due ON messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX messages_by_episode ON messages (episode_id, requested_at);

CREATE TABLE episode_patients (
    episode_id         uuid PRIMARY KEY,
    referral_id        uuid        NOT NULL,
    received_at        timestamptz NOT NULL,
    nhs_number         text        NOT NULL,
    given_name         text        NOT NULL,
    family_name        text        NOT NULL,
    date_of_birth      date        NOT NULL,
    address            text        NOT NULL,
    postcode           text        NOT NULL,
    gp_practice_code   text        NOT NULL,
    consent_to_share   boolean     NOT NULL,
    contact_ref        uuid        NOT NULL UNIQUE,
    email              text,
    mobile             text,
    preferred_channel  text        NOT NULL DEFAULT 'none'
);
CREATE INDEX episode_patients_by_practice ON episode_patients (gp_practice_code);

CREATE TABLE family_contacts (
    episode_id         uuid    NOT NULL,
    contact_id         uuid    NOT NULL,
    relationship       text    NOT NULL,
    may_be_told_plan   boolean NOT NULL,
    email              text,
    mobile             text,
    preferred_channel  text    NOT NULL DEFAULT 'none',
    PRIMARY KEY (episode_id, contact_id)
);

-- The latest word on each consent scope of an episode (recorded = granted, withdrawn = not).
CREATE TABLE consents (
    episode_id         uuid        NOT NULL,
    scope              text        NOT NULL,
    granted            boolean     NOT NULL,
    family_contact_id  uuid,
    changed_at         timestamptz NOT NULL,
    PRIMARY KEY (episode_id, scope)
);

CREATE TABLE visits (
    visit_id       uuid PRIMARY KEY,
    episode_id     uuid        NOT NULL,
    purpose        text,
    discipline     text,
    deadline       timestamptz,
    staff_id       uuid,
    planned_start  timestamptz,
    status         text        NOT NULL
);
CREATE INDEX visits_by_episode ON visits (episode_id);

-- What happened in the episode, for the GP's discharge summary: completed visits, assessments and
-- onward referrals, as they arrived.
CREATE TABLE episode_record (
    event_id    text PRIMARY KEY,
    episode_id  uuid        NOT NULL,
    kind        text        NOT NULL,
    at          timestamptz NOT NULL,
    data        jsonb       NOT NULL
);
CREATE INDEX episode_record_by_episode ON episode_record (episode_id, at);

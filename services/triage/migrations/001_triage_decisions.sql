CREATE TABLE triage_decisions (
    referral_id             uuid PRIMARY KEY,
    episode_id              uuid        NOT NULL,
    decided_at              timestamptz NOT NULL,
    tier                    text        NOT NULL,
    lead_discipline         text        NOT NULL,
    route                   text        NOT NULL,
    care_setting            text        NOT NULL,
    first_contact_deadline  timestamptz NOT NULL,
    news2_score             integer,
    rules_version           text        NOT NULL,
    rules_fired             text[]      NOT NULL
);

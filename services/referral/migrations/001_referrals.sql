CREATE TABLE referrals (
    referral_id              uuid PRIMARY KEY,
    episode_id               uuid        NOT NULL,
    status                   text        NOT NULL,
    route                    text        NOT NULL,
    received_at              timestamptz NOT NULL,
    nhs_number               text        NOT NULL,
    details                  jsonb       NOT NULL,
    correlation_id           text        NOT NULL,
    idempotency_key          text UNIQUE,
    tier                     text,
    lead_discipline          text,
    first_contact_deadline   timestamptz,
    first_visit_planned_start timestamptz,
    updated_at               timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX referrals_by_nhs_number ON referrals (nhs_number);
CREATE INDEX referrals_by_episode ON referrals (episode_id);

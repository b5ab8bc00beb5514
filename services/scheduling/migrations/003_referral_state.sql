-- A first visit is planned once a referral is both triaged (how fast, who leads) and accepted by the hub.
CREATE TABLE referral_state (
    episode_id              uuid PRIMARY KEY,
    referral_id             uuid        NOT NULL,
    tier                    text,
    lead_discipline         text,
    first_contact_deadline  timestamptz,
    accepted                boolean     NOT NULL DEFAULT false,
    closed                  boolean     NOT NULL DEFAULT false
);

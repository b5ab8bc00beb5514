-- The live board and each referral's timeline are built from events (docs: services/referral/README.md).
ALTER TABLE referrals ADD COLUMN presenting_needs text[] NOT NULL DEFAULT '{}';
ALTER TABLE referrals ADD COLUMN clock text;
ALTER TABLE referrals ADD COLUMN first_contact_at timestamptz;
ALTER TABLE referrals ADD COLUMN decided_at timestamptz;
ALTER TABLE referrals ADD COLUMN decided_by text;
ALTER TABLE referrals ADD COLUMN rejection_reason text;
UPDATE referrals SET presenting_needs = ARRAY(SELECT jsonb_array_elements_text(details -> 'presenting_needs'));
CREATE INDEX referrals_open ON referrals (status, first_contact_deadline);

CREATE TABLE timeline (
    event_id    text PRIMARY KEY,
    episode_id  uuid        NOT NULL,
    at          timestamptz NOT NULL,
    type        text        NOT NULL,
    summary     text        NOT NULL
);
CREATE INDEX timeline_by_episode ON timeline (episode_id, at);

CREATE TABLE referral_additions (
    idempotency_key text PRIMARY KEY,
    referral_id     uuid        NOT NULL REFERENCES referrals (referral_id),
    added_at        timestamptz NOT NULL
);

-- Response clocks: one per referral, from received to first contact. Each of at-risk, breached and
-- met is fired once: the flag is set in the same transaction that writes the event to the outbox.
CREATE TABLE response_clocks (
    episode_id        uuid PRIMARY KEY,
    referral_id       uuid        NOT NULL,
    received_at       timestamptz NOT NULL,
    tier              text,
    deadline          timestamptz,
    at_risk_at        timestamptz,
    assigned_start    timestamptz,
    first_contact_at  timestamptz,
    stopped           boolean     NOT NULL DEFAULT false,
    at_risk_fired     boolean     NOT NULL DEFAULT false,
    breached_fired    boolean     NOT NULL DEFAULT false,
    met_fired         boolean     NOT NULL DEFAULT false,
    trace_context     jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX response_clocks_running ON response_clocks (deadline) WHERE NOT stopped AND first_contact_at IS NULL;

ALTER TABLE triage_decisions ADD COLUMN team text;
ALTER TABLE triage_decisions ADD COLUMN received_at timestamptz;
ALTER TABLE triage_decisions ADD COLUMN overridden boolean NOT NULL DEFAULT false;

CREATE TABLE care_team (
    episode_id  uuid NOT NULL,
    staff_id    uuid NOT NULL,
    PRIMARY KEY (episode_id, staff_id)
);

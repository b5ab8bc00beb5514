-- Proposed care plan changes (issue 15): a clinician's proposal from a visit is kept until a coordinator
-- or hub clinician agrees it (care-plan.updated) or declines it with a reason (care-plan.change-declined).
CREATE TABLE care_plan_proposals (
    proposal_id     uuid PRIMARY KEY,
    episode_id      uuid        NOT NULL,
    care_plan_id    uuid,
    reason          text        NOT NULL,
    visits          jsonb       NOT NULL DEFAULT '[]',
    declined        text[]      NOT NULL DEFAULT '{}',
    proposed_at     timestamptz NOT NULL,
    proposed_by     uuid        NOT NULL,
    decision        text CHECK (decision IN ('agreed', 'declined')),
    decided_at      timestamptz,
    decided_by      text,
    decision_reason text
);
CREATE INDEX care_plan_proposals_waiting ON care_plan_proposals (proposed_at) WHERE decision IS NULL;

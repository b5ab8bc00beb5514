-- What decides who may see a referral (docs/security.md): its team and locality, the patient's GP
-- practice, the integrator that submitted it, and the staff assigned to the person.
ALTER TABLE referrals ADD COLUMN locality text;
ALTER TABLE referrals ADD COLUMN team text;
ALTER TABLE referrals ADD COLUMN gp_practice text;
ALTER TABLE referrals ADD COLUMN submitted_by text;
UPDATE referrals SET gp_practice = details -> 'patient' ->> 'gp_practice_code';
ALTER TABLE referrals ALTER COLUMN gp_practice SET NOT NULL;
CREATE INDEX referrals_by_team ON referrals (team);
CREATE INDEX referrals_by_gp_practice ON referrals (gp_practice);

CREATE TABLE care_team (
    episode_id  uuid NOT NULL,
    staff_id    uuid NOT NULL,
    since       timestamptz NOT NULL,
    PRIMARY KEY (episode_id, staff_id)
);
CREATE INDEX care_team_by_staff ON care_team (staff_id);

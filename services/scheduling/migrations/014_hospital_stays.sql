-- Hospital stays (issue 15): an admission pauses the person's visits (the open ones are cancelled, no
-- more are made from the care plan); a discharge plans a reassessment by the lead within a day, and the
-- care plan's visits resume once it is due (`resume_after`).
CREATE TABLE hospital_stays (
    episode_id            uuid        NOT NULL,
    hospital_encounter_id text        NOT NULL,
    hospital              text        NOT NULL,
    admitted_at           timestamptz NOT NULL,
    discharged_at         timestamptz,
    resume_after          timestamptz,
    PRIMARY KEY (episode_id, admitted_at)
);
CREATE UNIQUE INDEX hospital_stays_one_open ON hospital_stays (episode_id) WHERE discharged_at IS NULL;

-- The visits that could be the first contact, each with its planned start: the clock's assigned start is
-- the earliest of them (a care visit booked for next week does not put a first response at risk, and a
-- first visit moved later does).
CREATE TABLE clock_visits (
    visit_id      uuid PRIMARY KEY,
    episode_id    uuid        NOT NULL,
    planned_start timestamptz NOT NULL
);
CREATE INDEX clock_visits_by_episode ON clock_visits (episode_id);

-- The person behind each episode, as far as scheduling needs to plan and make visits: where they
-- live, how to get in, why they were referred. Kept from referral.received / referral.updated.
CREATE TABLE episodes (
    episode_id    uuid PRIMARY KEY,
    referral_id   uuid NOT NULL,
    given_name    text NOT NULL,
    family_name   text NOT NULL,
    address       text NOT NULL,
    postcode      text NOT NULL,
    latitude      double precision,
    longitude     double precision,
    access_notes  text NOT NULL DEFAULT '',
    reason        text NOT NULL DEFAULT '',
    known_risks   text NOT NULL DEFAULT '',
    team          text,
    correlation_id text,
    trace_context jsonb NOT NULL DEFAULT '{}'
    -- the case's own trace: events about the person's visits continue the trace of the referral
);

-- Visits grow what the planner and the clinician app need.
ALTER TABLE visits
    ADD COLUMN second_staff_id uuid REFERENCES staff (staff_id),
    ADD COLUMN tasks           text[] NOT NULL DEFAULT '{}',
    ADD COLUMN preferred_start timestamptz,
    ADD COLUMN preferred_end   timestamptz,
    ADD COLUMN required_skills text[] NOT NULL DEFAULT '{}',
    ADD COLUMN double_handed   boolean NOT NULL DEFAULT false,
    ADD COLUMN care_plan_id    uuid,
    ADD COLUMN pinned          boolean NOT NULL DEFAULT false,
    ADD COLUMN urgent          boolean NOT NULL DEFAULT false,
    ADD COLUMN why             text[] NOT NULL DEFAULT '{}',
    ADD COLUMN overrun_noted   boolean NOT NULL DEFAULT false;

CREATE INDEX visits_by_second_staff ON visits (second_staff_id, planned_start);
CREATE INDEX visits_by_day ON visits (earliest_start);

-- A care plan line becomes one visit per day per preferred window; re-materialising is idempotent.
CREATE UNIQUE INDEX visits_one_per_care_plan_slot ON visits (care_plan_id, earliest_start, discipline) WHERE care_plan_id IS NOT NULL;

CREATE TABLE care_plans (
    care_plan_id  uuid PRIMARY KEY,
    episode_id    uuid NOT NULL,
    agreed_at     timestamptz NOT NULL,
    lines         jsonb NOT NULL,
    declined      text[] NOT NULL DEFAULT '{}',
    active        boolean NOT NULL DEFAULT true
);

-- Working pattern: a shift per staff member per day (day team 07:00-22:00 planned visits, rapid
-- response 24/7, night team 21:00-07:30) and absences (sickness, leave).
ALTER TABLE staff ADD COLUMN working_pattern text NOT NULL DEFAULT 'day';

CREATE TABLE shifts (
    staff_id      uuid NOT NULL REFERENCES staff (staff_id),
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    break_minutes integer NOT NULL DEFAULT 30,
    PRIMARY KEY (staff_id, starts_at),
    CHECK (ends_at > starts_at)
);

CREATE TABLE absences (
    absence_id  uuid PRIMARY KEY,
    staff_id    uuid NOT NULL REFERENCES staff (staff_id),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    reason      text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);

-- Each planning run, for the coordinator view and for honesty about what the optimiser did.
CREATE TABLE plan_runs (
    run_id        uuid PRIMARY KEY,
    day           date NOT NULL,
    trigger       text NOT NULL,
    started_at    timestamptz NOT NULL,
    solve_seconds double precision NOT NULL,
    visits        integer NOT NULL,
    assigned      integer NOT NULL,
    unassigned    integer NOT NULL,
    changes       integer NOT NULL
);

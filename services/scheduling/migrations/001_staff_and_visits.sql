CREATE TABLE bases (
    base_id    uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    latitude   double precision NOT NULL,
    longitude  double precision NOT NULL
);

CREATE TABLE staff (
    staff_id    uuid PRIMARY KEY,
    display_name text NOT NULL,
    discipline  text NOT NULL,
    employer    text NOT NULL,
    base_id     uuid NOT NULL REFERENCES bases (base_id),
    skills      text[] NOT NULL DEFAULT '{}',
    active      boolean NOT NULL DEFAULT true
);

CREATE TABLE visits (
    visit_id        uuid PRIMARY KEY,
    episode_id      uuid        NOT NULL,
    referral_id     uuid,
    purpose         text        NOT NULL,
    discipline      text        NOT NULL,
    earliest_start  timestamptz NOT NULL,
    latest_start    timestamptz NOT NULL,
    duration_minutes integer    NOT NULL,
    deadline        timestamptz,
    status          text        NOT NULL,
    staff_id        uuid REFERENCES staff (staff_id),
    planned_start   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX visits_one_first_response_per_referral ON visits (referral_id) WHERE purpose = 'first-response';
CREATE INDEX visits_by_staff ON visits (staff_id, planned_start);

CREATE TABLE unassigned_visits (
    visit_id   uuid PRIMARY KEY REFERENCES visits (visit_id),
    reason     text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

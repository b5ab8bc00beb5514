-- Re-plans asked for by events (issue 13): a handler that plans a visit asks for the next hours to be
-- re-planned, in its own transaction, and the re-planner takes every request waiting, merges their
-- windows and runs one re-plan for them all, deleting the requests in the re-plan's own transaction
-- (so a re-plan that fails leaves them to be taken again). What arrives together is planned together.
CREATE TABLE replan_requests (
    request_id   bigserial   PRIMARY KEY,
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    trigger      text        NOT NULL,
    requested_at timestamptz NOT NULL,
    CHECK (window_end > window_start)
);

-- Closing an episode (issue 15): a clinician's discharge recommendation is kept, so the hub can close the
-- episode from it; an episode closes once, with an outcome (domain/actions/episode.py, `closing`). Its
-- open visits are cancelled and no more are made from its care plan; access that came from it ends.
CREATE TABLE discharge_recommendations (
    recommendation_id uuid PRIMARY KEY,
    episode_id        uuid        NOT NULL,
    outcome           text        NOT NULL,
    summary           text        NOT NULL DEFAULT '',
    recommended_at    timestamptz NOT NULL,
    recommended_by    uuid        NOT NULL
);
CREATE INDEX discharge_recommendations_by_episode ON discharge_recommendations (episode_id, recommended_at);

CREATE TABLE episode_closures (
    episode_id        uuid PRIMARY KEY,
    outcome           text        NOT NULL,
    summary           text        NOT NULL DEFAULT '',
    closed_at         timestamptz NOT NULL,
    closed_by         uuid,
    closed_by_name    text,
    recommendation_id uuid REFERENCES discharge_recommendations (recommendation_id)
);

-- How the referrer of each episode may be told of the hub's decision (issue 15): their organisation, the
-- call-back number and an email address if the referral gave one. Kept here only, like the person's
-- contact details.
CREATE TABLE referrers (
    episode_id      uuid PRIMARY KEY,
    referral_id     uuid NOT NULL,
    organisation    text NOT NULL,
    callback_number text NOT NULL,
    email           text
);

-- The W3C trace context of the referral's first request: later work on the case continues that trace.
ALTER TABLE referrals ADD COLUMN trace_context jsonb NOT NULL DEFAULT '{}'::jsonb;

-- How a referral's episode ends (issue 15): cancelled with a reason before first contact, a discharge
-- recommended by a clinician, closed with an outcome; the care team's access ends when it closes (the
-- rows stay, for the audit of who had access when).
ALTER TABLE referrals ADD COLUMN cancellation_reason text;
ALTER TABLE referrals ADD COLUMN discharge_recommendation jsonb;
ALTER TABLE referrals ADD COLUMN outcome text;
ALTER TABLE care_team ADD COLUMN ended_at timestamptz;

-- A hospital stay entered at the hub (issue 15): kept on the referral from the admission until the
-- discharge (hospital, ward, when, the encounter id both events carry).
ALTER TABLE referrals ADD COLUMN hospital_stay jsonb;

-- Additions are made once through the service kit's `idempotent_requests` (as referrals are), so
-- the hub's own table of addition keys goes. `referrals.idempotency_key` stays: the key a referral
-- was taken under, for the record.
DROP TABLE referral_additions;

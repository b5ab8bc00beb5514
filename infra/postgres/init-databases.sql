-- Run once by the postgres:15 image (docker-compose.yml) when its data volume is first initialised.
-- Each service gets its own login role and its own database, the role owning the database, as
-- infra/stack/carerelay_stack/provision.py does for `make run` (see StackSettings in
-- infra/stack/carerelay_stack/settings.py): role = database = carerelay_<service>.
-- Passwords equal the role name: LOCAL USE ONLY. Elsewhere each service's DATABASE_URL comes from a secret store.

CREATE ROLE carerelay_referral LOGIN PASSWORD 'carerelay_referral';
CREATE DATABASE carerelay_referral OWNER carerelay_referral;
REVOKE ALL ON DATABASE carerelay_referral FROM PUBLIC;

CREATE ROLE carerelay_triage LOGIN PASSWORD 'carerelay_triage';
CREATE DATABASE carerelay_triage OWNER carerelay_triage;
REVOKE ALL ON DATABASE carerelay_triage FROM PUBLIC;

CREATE ROLE carerelay_scheduling LOGIN PASSWORD 'carerelay_scheduling';
CREATE DATABASE carerelay_scheduling OWNER carerelay_scheduling;
REVOKE ALL ON DATABASE carerelay_scheduling FROM PUBLIC;

CREATE ROLE carerelay_notifications LOGIN PASSWORD 'carerelay_notifications';
CREATE DATABASE carerelay_notifications OWNER carerelay_notifications;
REVOKE ALL ON DATABASE carerelay_notifications FROM PUBLIC;

-- Each member of staff belongs to a team (one per base); a coordinator sees their team's visits.
ALTER TABLE staff ADD COLUMN team text NOT NULL DEFAULT 'unallocated';
ALTER TABLE bases ADD COLUMN team text NOT NULL DEFAULT 'unallocated';

-- When an episode closes (issue 15) the access its assigned staff had to its live events ends; the rows
-- stay, for who had access when.
ALTER TABLE episode_staff ADD COLUMN ended_at timestamptz;

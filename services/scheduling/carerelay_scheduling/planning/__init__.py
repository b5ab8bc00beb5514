"""Planning in the running service: re-plans (one transaction each, under a lock) and the tick."""

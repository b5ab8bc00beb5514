"""Planning in the running service: re-plans (one transaction each, under the planner's lock, publishing
only the changes), the visits care plans and first responses ask for, and the planner's tick. The rules
are domain/'s; the SQL is store/'s."""

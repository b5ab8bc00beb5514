"""The daily planner on PyVRP: `plan.plan_day` and its stages."""

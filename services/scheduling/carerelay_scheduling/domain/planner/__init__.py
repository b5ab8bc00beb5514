"""The daily planner on PyVRP (a pure computation). `plan.plan_day` runs its stages in one direction:

    input        what a plan is asked for (staff on shift, visits needed), checked
    eligibility  who may make what, before any search; the reason when nobody can
    model        the day as a PyVRP problem
    routes       each person's visits in order, kept within every hard limit
    insertion    targeted moves the search is slow at (an urgent visit, a pair's second person)
    result       the plan in the coordinator's words, and what changed from the live plan

Decision and measurements: docs/decisions/0003-daily-planner.md.
"""

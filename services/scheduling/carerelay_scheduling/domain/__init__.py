"""Scheduling's rules, pure: no database, HTTP or Kafka. The planner, the rota, care plans as visits,
first responses, the visit's states and what each clinician action means."""

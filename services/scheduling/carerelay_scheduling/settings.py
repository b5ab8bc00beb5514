"""Scheduling's settings (pydantic-settings, from the environment)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from carerelay_access.settings import SecuredServiceSettings


class SchedulingSettings(SecuredServiceSettings):
    """CARERELAY_SCHEDULING_*: read once, by `python -m carerelay_scheduling`, and handed down."""

    model_config = SettingsConfigDict(env_prefix="CARERELAY_SCHEDULING_", frozen=True, extra="ignore")

    database_url: str = "postgresql://carerelay_scheduling:carerelay_scheduling@127.0.0.1:55432/carerelay_scheduling"
    port: int = 8103
    replan_seconds: float = Field(default=0.8, gt=0, le=60)
    """The budget of a live re-plan (an urgent visit, an absence, a pin, the tick): building the problem,
    solving and reading the result. 0.8 s keeps bench/replan.py's p95 within a second."""
    replan_hours: float = Field(default=12.0, gt=0, le=48)
    """How far ahead a live re-plan looks."""
    replan_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    """How often the re-planner looks for waiting requests when no NOTIFY woke it."""
    day_plan_seconds: float = Field(default=10.0, gt=0, le=600)
    """The solver's budget for a whole day's plan."""
    tick_seconds: float = Field(default=60.0, gt=0)
    """How often the planner looks for overruns and for care-plan visits to make."""
    full_replan_minutes: float = Field(default=15.0, gt=0)
    """How often the tick re-plans the next hours even when nothing has overrun."""

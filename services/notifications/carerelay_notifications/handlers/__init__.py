"""Events in, one module per topic consumed. The feed's handler is declared first, so every event is
on the live feed before the triggers after it ask for messages (a type's handlers run in order)."""

from __future__ import annotations

from . import feed  # noqa: F401  (first: see above)

# isort: split
from . import episode, hospital, referral, response_clock, visit  # noqa: F401  (their decorators register them)
from .registry import handlers

__all__ = ["handlers"]

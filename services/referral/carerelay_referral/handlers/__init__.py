"""The events the hub follows, one module per topic, each handler declared by event class: every
event of an episode the hub took goes on its timeline (`timeline`), and some move the board
(`triage`, `response_clock`, `visit`, `episode`). Events of other episodes are ignored."""

from __future__ import annotations

from . import episode, response_clock, timeline, triage, visit
from .registry import handlers

__all__ = ["episode", "handlers", "response_clock", "timeline", "triage", "visit"]

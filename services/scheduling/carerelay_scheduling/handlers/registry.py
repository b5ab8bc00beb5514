"""Scheduling's handlers registry: each topic module declares its handlers on it."""

from __future__ import annotations

from carerelay_events.handlers import Handlers

from ..settings import SchedulingSettings

handlers: Handlers[SchedulingSettings] = Handlers()

"""A service's event handlers, declared one way in every service: typed, by event class.

    handlers: Handlers[SchedulingSettings] = Handlers()

    @handlers.on(TriageCompleted, TriageOverridden)
    async def on_triage(event: TriageCompleted | TriageOverridden, context: HandlerContext[SchedulingSettings]) -> None:
        ...

A type may have more than one handler (e.g. the hub's timeline records every event and the board
moves on a few); they run in the order they were declared, in the one transaction of the inbox.
The topics a service consumes are those of the types it handles. `R` is what the service gives
its handlers besides the transaction (its settings, triage's rules): `context.resources`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from carerelay_contract.model import Event
from carerelay_contract.topics import Topic

R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Awaitable[None]])

Handler = Callable[[Any, Any], Awaitable[None]]
"""`async def handler(event: SomeEvent, context: HandlerContext[R]) -> None`."""


class Handlers(Generic[R]):
    """The handlers of one service, by event class."""

    def __init__(self) -> None:
        self._by_type: dict[type[Event], list[Handler]] = {}

    def on(self, *types: type[Event]) -> Callable[[F], F]:
        """Declare the decorated coroutine the handler of `types` (each a catalogue class)."""
        if not types:
            raise ValueError("name at least one event class")

        def register(handler: F) -> F:
            for cls in types:
                self._by_type.setdefault(cls, []).append(handler)
            return handler

        return register

    def for_type(self, cls: type[Event]) -> list[Handler]:
        """The handlers of `cls`, in declaration order (none: the event is not for this service)."""
        return self._by_type.get(cls, [])

    @property
    def types(self) -> list[type[Event]]:
        return list(self._by_type)

    @property
    def topics(self) -> list[Topic]:
        """The topics the service must consume: those its handled types travel on."""
        return sorted({cls.topic for cls in self._by_type}, key=list(Topic).index)

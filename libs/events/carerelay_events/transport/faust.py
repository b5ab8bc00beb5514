"""The faust-streaming transport: a faust agent hands each raw record to the shared EventProcessor.

faust acknowledges an event when the agent moves on to the next one and commits acknowledged
offsets on its commit timer, so offsets are committed after processing. Decoding, the inbox, dead
letters, retries and tracing stay in EventProcessor, so this transport can be swapped for the
aiokafka one without touching the service's handlers (faust-streaming has open reports of stalls).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import faust

from ..processing import EventProcessor
from .base import InboundRecord


def attach_processor(
    app: faust.App, topics: list[str], processor: Callable[[], Awaitable[EventProcessor[Any]]], name: str
) -> Any:
    """Add an agent named `name` to `app` consuming `topics`; `processor` yields the ready processor."""
    channel = app.topic(*topics, value_serializer="raw", key_serializer="raw")

    async def agent(stream: faust.StreamT[bytes]) -> None:
        ready = await processor()
        async for event in stream.events():
            message = event.message
            raw: Any = message.headers or []
            pairs: Iterable[tuple[str, bytes]] = raw.items() if isinstance(raw, dict) else raw
            headers = tuple((name, value) for name, value in pairs)
            await ready.process(
                InboundRecord(
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                    key=message.key,
                    value=message.value,
                    headers=headers,
                )
            )

    return app.agent(channel, name=name)(agent)

"""The faust-streaming transport: a faust agent hands each raw record to the shared EventProcessor.

faust acknowledges an event when the agent moves on to the next one and commits acknowledged
offsets on its commit timer, so offsets are committed after processing. Decoding, the inbox, dead
letters, retries and tracing stay in EventProcessor, so this transport can be swapped for the
aiokafka one without touching the service's handlers (faust-streaming has open reports of stalls).

Consumer lag is exported as the aiokafka consumer loop does (`carerelay_consumer_lag`): a timer
compares each assigned partition's end with the next offset the agent has yet to process, so a
stalled agent shows its lag growing; the agent's `Progress` (records processed, one in processing,
records behind) is what the service's /health judges (`EventRuntime.watch`). faust restarts an agent
that crashes (its supervisor); one that hangs or cannot finish a record shows as no progress.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import faust
import structlog

from ..consumer import LAG
from ..processing import EventProcessor
from ..progress import Progress
from .base import InboundRecord

log = structlog.get_logger(__name__)

LAG_EVERY_SECONDS = 5.0


def attach_processor(
    app: faust.App,
    topics: list[str],
    processor: Callable[[], Awaitable[EventProcessor[Any]]],
    name: str,
    progress: Progress | None = None,
) -> Any:
    """Add an agent named `name` to `app` consuming `topics`; `processor` yields the ready processor.
    `progress` is told of each record processed and of the records behind."""
    progress = progress or Progress(name, "faust agent")
    channel = app.topic(*topics, value_serializer="raw", key_serializer="raw")
    processed: dict[tuple[str, int], int] = {}
    """The next offset to process, per (topic, partition), once this worker has processed one."""
    consumer_name: list[str] = []

    async def agent(stream: faust.StreamT[bytes]) -> None:
        ready = await processor()
        consumer_name[:] = [ready.consumer]
        async for event in stream.events():
            message = event.message
            raw: Any = message.headers or []
            pairs: Iterable[tuple[str, bytes]] = raw.items() if isinstance(raw, dict) else raw
            headers = tuple((name, value) for name, value in pairs)
            progress.started()
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
            processed[(message.topic, message.partition)] = message.offset + 1
            progress.finished()

    async def report_lag() -> None:
        if consumer_name:
            progress.waits(await _report_lag(app, consumer_name[0], processed))

    app.timer(interval=LAG_EVERY_SECONDS)(report_lag)

    return app.agent(channel, name=name)(agent)


async def _report_lag(app: faust.App, consumer: str, processed: dict[tuple[str, int], int]) -> int:
    """Set each assigned partition's lag: its end minus the next offset to process (the consumer's
    fetch position for a partition this worker has processed nothing of yet); return their sum."""
    behind = 0
    try:
        assigned = list(app.consumer.assignment())
    except Exception as error:  # a rebalance in progress: the next tick reports
        log.debug("consumer lag not reported", consumer=consumer, error=type(error).__name__)
        return 0
    for tp in assigned:
        try:
            end = app.consumer.highwater(tp)
            done = processed.get((tp.topic, tp.partition))
            if done is None:
                done = await app.consumer.position(tp)
        except Exception as error:  # revoked while we asked: its new holder reports it
            log.debug("partition lag not reported", consumer=consumer, error=type(error).__name__)
            continue
        if end is not None and done is not None:
            behind += max(0, end - done)
            LAG.labels(consumer, tp.topic, str(tp.partition)).set(max(0, end - done))
    return behind

"""Reading a Server-Sent Events stream as a screen does."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson


@dataclass(frozen=True)
class StreamEvent:
    id: int
    type: str
    data: dict[str, Any]


class Screen:
    """An open stream, collecting events in the background until closed."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.base_url = base_url
        self.headers = headers
        self.events: list[StreamEvent] = []
        self.status: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    async def open(self, last_event_id: int | None = None) -> Screen:
        headers = dict(self.headers) | ({"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {})
        self._task = asyncio.create_task(self._read(headers))
        await asyncio.wait_for(self._connected.wait(), 10)
        return self

    async def _read(self, headers: dict[str, str]) -> None:
        async with (
            httpx.AsyncClient(base_url=self.base_url, timeout=httpx.Timeout(10, read=None)) as client,
            client.stream("GET", "/api/notifications/stream", headers=headers) as response,
        ):
            self.status = response.status_code
            self._connected.set()
            if response.status_code != 200:
                return
            fields: dict[str, str] = {}
            async for line in response.aiter_lines():
                if not line:
                    if "id" in fields and "data" in fields:
                        self.events.append(StreamEvent(int(fields["id"]), fields.get("event", ""), orjson.loads(fields["data"])))
                    fields = {}
                elif not line.startswith(":") and ":" in line:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")

    async def wait_for(self, matches: Callable[[StreamEvent], bool], within: float = 30.0) -> StreamEvent:
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            for event in self.events:
                if matches(event):
                    return event
            await asyncio.sleep(0.05)
        raise AssertionError(f"no matching event within {within:.0f}s; saw {[e.type for e in self.events][-20:]}")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

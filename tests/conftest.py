"""Fixtures for the cross-service tests. They need the real Kafka and PostgreSQL, which
`make test` starts (infra launcher) before pytest runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from playwright.async_api import Browser

from carerelay_events.settings import KafkaSettings
from carerelay_stack.rota import load_rota
from carerelay_testing.factories import referral_submission

from .support.browser import launch
from .support.otlp import OtlpCollector
from .support.system import RunningSystem, StackSettings


@pytest.fixture(scope="session")
async def system() -> AsyncIterator[RunningSystem]:
    run_id = uuid4().hex[:8]
    collector = OtlpCollector()
    collector.start()
    running = RunningSystem(
        run_id=run_id,
        kafka=KafkaSettings(topic_prefix=f"t{run_id}."),
        stack=StackSettings(),
        collector=collector,
    )
    try:
        await running.start()
        await load_rota(running.databases["scheduling"])
        yield running
    finally:
        await running.stop()
        collector.stop()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Real Chromium (Debian's), one per test module."""
    playwright, chromium = await launch()
    yield chromium
    await chromium.close()
    await playwright.stop()


@pytest.fixture
def referral_body() -> dict[str, Any]:
    """What a hub handler submits for Mrs A (synthetic; NHS number from the test range)."""
    return referral_submission()


def years_ago(years: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years).isoformat()

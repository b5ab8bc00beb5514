"""Triage's handlers and clock timer on the in-memory broker with a real PostgreSQL (the service's
migrations): a received referral is decided, stored, clocked and announced once; visits time the
first contact; the clock fires at risk, breached and met once each, in the case's correlation id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from prometheus_client import REGISTRY

from carerelay_access import audit
from carerelay_contract.envelope import Envelope
from carerelay_contract.episode import LeadDisciplineTransferred
from carerelay_contract.model import Event
from carerelay_contract.referral import ReferralCancelled, ReferralReceived
from carerelay_contract.topics import Topic
from carerelay_contract.triage import ResponseClockAtRisk, ResponseClockBreached, ResponseClockMet, TriageCompleted
from carerelay_contract.visit import VisitAssigned, VisitCancelled, VisitStarted, VisitUnassignable
from carerelay_contract.vocabulary import LeadDiscipline
from carerelay_events.runtime import EventRuntime
from carerelay_events.settings import ConsumerSettings
from carerelay_events.transport.memory import MemoryTransport
from carerelay_service.migrations import migrate, service_migrations
from carerelay_testing.broker import eventually, on_the_memory_broker
from carerelay_testing.broker import publish as deliver
from carerelay_testing.factories import referral_received
from carerelay_triage import clock_timer
from carerelay_triage.domain.rules.model import TriageRules
from carerelay_triage.handlers import handlers
from carerelay_triage.rules import DEFAULT_RULES_FILE, load_rules

RECEIVED = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
DEADLINE = RECEIVED + timedelta(hours=2)  # Mrs A: UCR 2 hours
CASE = "case-mrs-a"
BREACHES, AT_RISK = "carerelay_response_clock_breaches_total", "carerelay_response_clock_at_risk_total"

Triage = EventRuntime[TriageRules]


@pytest.fixture
async def triage(database_url: str, topic_prefix: str) -> AsyncIterator[Triage]:
    await migrate(database_url, service_migrations("triage"), [audit.AUDIT_MIGRATION])
    runtime = EventRuntime(
        name="triage",
        database_url=database_url,
        handlers=handlers,
        resources=load_rules(DEFAULT_RULES_FILE),
        transport=MemoryTransport(topic_prefix=topic_prefix),
        consumer_settings=ConsumerSettings(max_backoff_seconds=0.5),
    )
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


@pytest.fixture
def mrs_a() -> ReferralReceived:
    return ReferralReceived.model_validate(referral_received(received_at=RECEIVED, team="north"))


async def publish(triage: Triage, event: Event, event_id: str | None = None) -> None:
    """Deliver `event` to triage as another service would, and wait until it has been processed."""
    async with triage.pool.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM processed_events")
    await deliver(triage.transport, event, event_id=event_id, correlation_id=CASE)

    async def processed() -> bool:
        async with triage.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM processed_events") > before)

    await eventually(processed, within=15, what=f"{event.event_type} processed")


def published(triage: Triage, topic: Topic) -> list[Envelope]:
    return on_the_memory_broker(triage.transport, topic)


async def relayed(triage: Triage, topic: Topic, kind: type[Event]) -> list[Envelope]:
    """Every `kind` event on `topic`, once the outbox relay has published all that was written."""

    async def all_published() -> bool:
        async with triage.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM event_outbox WHERE published_at IS NULL") == 0)

    await eventually(all_published, within=15, what="the outbox relayed")
    return [envelope for envelope in published(triage, topic) if isinstance(envelope.event, kind)]


async def row(triage: Triage, sql: str, *args: Any) -> Any:
    async with triage.pool.acquire() as conn:
        return await conn.fetchrow(sql, *args)


async def tick(triage: Triage, now: datetime) -> int:
    """As the worker's timer does: fire what is due, then count it once the transaction has committed."""
    async with triage.pool.acquire() as conn, conn.transaction():
        fired = await clock_timer.tick(conn, triage.outbox, now)
    clock_timer.count(fired)
    return len(fired)


def clock_count(name: str, tier: str) -> float:
    return REGISTRY.get_sample_value(name, {"tier": tier}) or 0.0


async def test_a_received_referral_is_decided_stored_clocked_and_announced_once(triage: Triage, mrs_a: ReferralReceived) -> None:
    await publish(triage, mrs_a)
    await publish(triage, mrs_a)  # the hub published the same referral again, under a new event id

    decision = await row(triage, "SELECT * FROM triage_decisions WHERE referral_id = $1", mrs_a.referral_id)
    clock = await row(triage, "SELECT * FROM response_clocks WHERE episode_id = $1", mrs_a.episode_id)
    (completed,) = await relayed(triage, Topic.TRIAGE, TriageCompleted)
    assert (decision["tier"], decision["lead_discipline"], decision["team"]) == ("ucr-2h", "nurse", "north")
    assert decision["received_at"] == RECEIVED
    assert (clock["tier"], clock["deadline"], clock["at_risk_at"]) == ("ucr-2h", DEADLINE, RECEIVED + timedelta(minutes=90))
    assert clock["correlation_id"] == CASE
    assert isinstance(completed.event, TriageCompleted)
    assert completed.event.referral_id == mrs_a.referral_id
    assert completed.event.first_contact_deadline == DEADLINE
    assert completed.metadata.correlation_id == CASE
    async with triage.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM triage_decisions") == 1


async def test_the_earliest_planned_visit_times_the_first_contact_and_its_staff_join_the_care_team(
    triage: Triage, mrs_a: ReferralReceived
) -> None:
    await publish(triage, mrs_a)
    later, sooner, nurse, carer = uuid4(), uuid4(), uuid4(), uuid4()
    await publish(triage, VisitAssigned(episode_id=mrs_a.episode_id, visit_id=later, staff_id=carer, planned_start=DEADLINE))
    await publish(
        triage,
        VisitAssigned(episode_id=mrs_a.episode_id, visit_id=sooner, staff_id=nurse, planned_start=RECEIVED + timedelta(hours=1)),
    )

    async def assigned_start() -> datetime | None:
        found = await row(triage, "SELECT assigned_start FROM response_clocks WHERE episode_id = $1", mrs_a.episode_id)
        start: datetime | None = found["assigned_start"]
        return start

    assert await assigned_start() == RECEIVED + timedelta(hours=1)
    async with triage.pool.acquire() as conn:
        team = {r["staff_id"] for r in await conn.fetch("SELECT staff_id FROM care_team WHERE episode_id = $1", mrs_a.episode_id)}
    assert team == {nurse, carer}

    await publish(triage, VisitCancelled(episode_id=mrs_a.episode_id, visit_id=sooner, cancelled_at=RECEIVED, reason="Declined"))
    assert await assigned_start() == DEADLINE
    await publish(triage, VisitUnassignable(episode_id=mrs_a.episode_id, visit_id=later, reason="No one on shift", at=RECEIVED))
    assert await assigned_start() is None


async def test_the_first_visit_started_in_time_meets_the_clock_once(triage: Triage, mrs_a: ReferralReceived) -> None:
    await publish(triage, mrs_a)
    first = RECEIVED + timedelta(minutes=45)
    await publish(triage, VisitStarted(episode_id=mrs_a.episode_id, visit_id=uuid4(), staff_id=uuid4(), at=first))
    later = first + timedelta(hours=3)
    await publish(triage, VisitStarted(episode_id=mrs_a.episode_id, visit_id=uuid4(), staff_id=uuid4(), at=later))

    (met,) = await relayed(triage, Topic.RESPONSE_CLOCK, ResponseClockMet)
    clock = await row(triage, "SELECT * FROM response_clocks WHERE episode_id = $1", mrs_a.episode_id)
    assert isinstance(met.event, ResponseClockMet)
    assert (met.event.first_contact_at, met.event.minutes_to_first_contact) == (first, 45)
    assert met.metadata.correlation_id == CASE
    assert (clock["first_contact_at"], clock["met_fired"]) == (first, True)
    assert await tick(triage, DEADLINE + timedelta(hours=1)) == 0, "a clock that has met fires nothing more"


async def test_the_clock_fires_at_risk_then_breached_once_each_in_the_cases_correlation(
    triage: Triage, mrs_a: ReferralReceived
) -> None:
    await publish(triage, mrs_a)
    breaches, at_risks = clock_count(BREACHES, "ucr-2h"), clock_count(AT_RISK, "ucr-2h")

    assert await tick(triage, RECEIVED + timedelta(minutes=89)) == 0
    assert await tick(triage, RECEIVED + timedelta(minutes=90)) == 1
    assert await tick(triage, RECEIVED + timedelta(minutes=100)) == 0
    assert (clock_count(BREACHES, "ucr-2h"), clock_count(AT_RISK, "ucr-2h")) == (breaches, at_risks + 1)
    assert await tick(triage, DEADLINE) == 1
    assert await tick(triage, DEADLINE + timedelta(minutes=5)) == 0
    assert (clock_count(BREACHES, "ucr-2h"), clock_count(AT_RISK, "ucr-2h")) == (breaches + 1, at_risks + 1)

    (at_risk,) = await relayed(triage, Topic.RESPONSE_CLOCK, ResponseClockAtRisk)
    (breached,) = await relayed(triage, Topic.RESPONSE_CLOCK, ResponseClockBreached)
    assert isinstance(at_risk.event, ResponseClockAtRisk)
    assert at_risk.event.why == "no visit assigned"
    assert (at_risk.metadata.correlation_id, breached.metadata.correlation_id) == (CASE, CASE)
    assert at_risk.event.episode_id == breached.event.episode_id == mrs_a.episode_id


async def test_a_cancelled_referral_stops_its_clock(triage: Triage, mrs_a: ReferralReceived) -> None:
    await publish(triage, mrs_a)
    await publish(
        triage,
        ReferralCancelled(
            episode_id=mrs_a.episode_id, referral_id=mrs_a.referral_id, cancelled_at=RECEIVED, reason="Admitted to hospital"
        ),
    )

    clock = await row(triage, "SELECT stopped FROM response_clocks WHERE episode_id = $1", mrs_a.episode_id)
    assert clock["stopped"] is True
    assert await tick(triage, DEADLINE + timedelta(hours=1)) == 0


async def test_a_lead_handed_to_another_discipline_shows_as_the_decisions_lead(triage: Triage, mrs_a: ReferralReceived) -> None:
    await publish(triage, mrs_a)
    await publish(
        triage,
        LeadDisciplineTransferred(
            episode_id=mrs_a.episode_id,
            from_discipline=LeadDiscipline.NURSE,
            to_discipline=LeadDiscipline.THERAPIST,
            transferred_at=RECEIVED + timedelta(hours=1),
            reason="Medication sorted; mobility is now the issue",
        ),
    )

    decision = await row(triage, "SELECT lead_discipline FROM triage_decisions WHERE episode_id = $1", mrs_a.episode_id)
    assert decision["lead_discipline"] == "therapist"

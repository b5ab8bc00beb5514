"""Scheduling's handlers on the in-memory broker with a real PostgreSQL database and the real migrations:
a referral triaged and accepted gets one first response, planned and sent in the case's correlation; a
lead transfer scheduling published itself comes back to it and plans exactly one assessment; a rejected
referral's visits are cancelled; a care plan becomes visits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from carerelay_access.audit import AUDIT_MIGRATION
from carerelay_contract.envelope import Envelope
from carerelay_contract.episode import CarePlanAgreed, LeadDisciplineTransferred
from carerelay_contract.hospital import PatientAdmitted, PatientDischarged
from carerelay_contract.parts import RecurringVisit
from carerelay_contract.referral import ReferralAccepted, ReferralReceived, ReferralRejected
from carerelay_contract.topics import Topic
from carerelay_contract.triage import TriageCompleted
from carerelay_contract.visit import VisitAssigned, VisitCancelled, VisitPlanned, VisitUnassignable
from carerelay_contract.vocabulary import LeadDiscipline, ReferralRoute, ResponseTier
from carerelay_events.case import emit
from carerelay_events.runtime import EventRuntime
from carerelay_events.transport.memory import MemoryTransport
from carerelay_scheduling.domain.rota import LONDON
from carerelay_scheduling.handlers import handlers
from carerelay_scheduling.planning.replanner import start_planning
from carerelay_scheduling.planning.tick import TICK, replan_now
from carerelay_scheduling.settings import SchedulingSettings
from carerelay_scheduling.store import episodes
from carerelay_service.app import service_runtime
from carerelay_service.migrations import migrate, service_migrations
from carerelay_testing.broker import eventually, on_the_memory_broker, publish
from carerelay_testing.factories import fresh_nhs_number, mrs_a, referral_received

NORTH_BASE = (52.6369, -1.1398)
NEAR_NORTH_BASE = (52.6390, -1.1350)


@pytest.fixture
def transport() -> MemoryTransport:
    return MemoryTransport(topic_prefix=f"t{uuid4().hex[:8]}.")


@pytest.fixture
async def scheduling(transport: MemoryTransport, database_url: str) -> AsyncIterator[EventRuntime[SchedulingSettings]]:
    settings = SchedulingSettings(database_url=database_url, replan_seconds=0.3)
    await migrate(database_url, service_migrations("scheduling"), [AUDIT_MIGRATION])
    runtime = service_runtime("scheduling", settings, handlers, settings, transport=transport)
    await runtime.start()
    start_planning(runtime, settings)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def _on_shift(
    runtime: EventRuntime[Any], display_name: str, discipline: str, shifts: list[tuple[datetime, datetime]] | None = None
) -> UUID:
    """A member of the north team on an explicit shift around now, whatever the hour (or on `shifts`)."""
    staff_id = uuid4()
    now = datetime.now(UTC)
    async with runtime.pool.acquire() as conn:
        base_id = await conn.fetchval("SELECT base_id FROM bases WHERE name = 'North'")
        if base_id is None:
            base_id = uuid4()
            await conn.execute(
                "INSERT INTO bases (base_id, name, latitude, longitude, team) VALUES ($1, 'North', $2, $3, 'north')",
                base_id,
                *NORTH_BASE,
            )
        await conn.execute(
            """
            INSERT INTO staff (staff_id, display_name, discipline, employer, base_id, skills, team, working_pattern)
            VALUES ($1, $2, $3, 'community-health-trust', $4, '{}', 'north', 'day')
            """,
            staff_id,
            display_name,
            discipline,
            base_id,
        )
        for starts, ends in shifts or [(now - timedelta(hours=1), now + timedelta(hours=30))]:
            await conn.execute(
                "INSERT INTO shifts (staff_id, starts_at, ends_at, break_minutes) VALUES ($1, $2, $3, 0)", staff_id, starts, ends
            )
    return staff_id


def _ours(transport: MemoryTransport, topic: Topic, episode_id: UUID) -> list[Envelope]:
    """What scheduling published about the episode on the topic, decoded, in order."""
    return on_the_memory_broker(transport, topic, key=str(episode_id), source="/carerelay/scheduling")


async def _rows(runtime: EventRuntime[Any], sql: str, *args: object) -> list[asyncpg.Record]:
    async with runtime.pool.acquire() as conn:
        return list(await conn.fetch(sql, *args))


async def _a_referral(
    transport: MemoryTransport,
    lead: LeadDiscipline = LeadDiscipline.NURSE,
    tier: ResponseTier = ResponseTier.UCR_2H,
    allowed: timedelta = timedelta(hours=2),
) -> ReferralReceived:
    """Mrs A referred (a home near the north base), triaged (a 2-hour response) and accepted by the hub."""
    patient = mrs_a(nhs_number=fresh_nhs_number(), latitude=NEAR_NORTH_BASE[0], longitude=NEAR_NORTH_BASE[1])
    received = ReferralReceived.model_validate(referral_received(patient=patient, team="north"))
    now = datetime.now(UTC)
    triaged = TriageCompleted(
        episode_id=received.episode_id,
        referral_id=received.referral_id,
        decided_at=now,
        tier=tier,
        lead_discipline=lead,
        route=ReferralRoute.STEP_UP,
        first_contact_deadline=now + allowed,
        rules_version="test",
        rules_fired=["ucr-clinical-need"],
    )
    accepted = ReferralAccepted(
        episode_id=received.episode_id, referral_id=received.referral_id, accepted_at=now, accepted_by="Ruth Ellis"
    )
    await publish(transport, received, correlation_id="case-mrs-a")
    await publish(transport, accepted, correlation_id="case-mrs-a")  # accepted before triage arrives: either order works
    await publish(transport, triaged, correlation_id="case-mrs-a")
    return received


async def test_a_referral_triaged_and_accepted_gets_one_first_response_sent_in_its_case(
    scheduling: EventRuntime[SchedulingSettings], transport: MemoryTransport
) -> None:
    nurse = await _on_shift(scheduling, "Nurse Test One", "nurse")
    referral = await _a_referral(transport)

    async def assigned() -> list[Any]:
        return [e for e in _ours(transport, Topic.VISIT, referral.episode_id) if isinstance(e.event, VisitAssigned)]

    (assignment,) = await eventually(assigned)
    assert assignment.event.staff_id == nurse
    assert assignment.metadata.correlation_id == "case-mrs-a"
    visits = await _rows(scheduling, "SELECT * FROM visits WHERE episode_id = $1", referral.episode_id)
    assert [(v["purpose"], v["discipline"], v["status"], v["staff_id"]) for v in visits] == [
        ("first-response", "nurse", "assigned", nurse)
    ]
    planned = [e for e in _ours(transport, Topic.VISIT, referral.episode_id) if isinstance(e.event, VisitPlanned)]
    assert len(planned) == 1
    (person,) = await _rows(scheduling, "SELECT correlation_id, team FROM episodes WHERE episode_id = $1", referral.episode_id)
    assert (person["correlation_id"], person["team"]) == ("case-mrs-a", "north")


async def test_a_re_plan_looking_days_ahead_leaves_todays_visits_with_the_people_making_them(
    scheduling: EventRuntime[SchedulingSettings], transport: MemoryTransport
) -> None:
    # A nurse whose shift today starts in half an hour and runs to three hours from now; tomorrow's is longer.
    now = datetime.now(UTC)
    today = (now + timedelta(minutes=30), now + timedelta(hours=3))
    tomorrow = (now + timedelta(hours=20), now + timedelta(hours=28))
    nurse = await _on_shift(scheduling, "Nurse Test One", "nurse", [today, tomorrow])
    urgent = await _a_referral(transport)
    assigned = "SELECT * FROM visits WHERE episode_id = $1 AND status = 'assigned'"
    (first,) = await eventually(lambda: _rows(scheduling, assigned, urgent.episode_id))
    assert first["staff_id"] == nurse
    assert first["planned_start"] < now + timedelta(hours=3)

    # A routine referral, due within three days: its re-plan looks three days ahead.
    routine = await _a_referral(transport, tier=ResponseTier.NORMAL, allowed=timedelta(days=3))
    (second,) = await eventually(lambda: _rows(scheduling, assigned, routine.episode_id))
    assert second["staff_id"] == nurse

    (after,) = await _rows(scheduling, "SELECT * FROM visits WHERE visit_id = $1", first["visit_id"])
    assert (after["status"], after["staff_id"]) == ("assigned", nurse)
    assert after["planned_start"] <= after["deadline"]  # it may move within its window, not off her round
    said = [type(e.event) for e in _ours(transport, Topic.VISIT, urgent.episode_id)]
    assert VisitUnassignable not in said
    assert said.count(VisitAssigned) == 1


async def test_a_lead_transfer_scheduling_published_itself_plans_exactly_one_assessment(
    scheduling: EventRuntime[SchedulingSettings], transport: MemoryTransport
) -> None:
    await _on_shift(scheduling, "Nurse Test One", "nurse")
    therapist = await _on_shift(scheduling, "OT Test One", "occupational-therapist")
    referral = await _a_referral(transport)
    assert await eventually(lambda: _rows(scheduling, "SELECT 1 FROM visits WHERE episode_id = $1", referral.episode_id))

    # As the hub's route and the app's lead-transfer action do: the lead changes and the event leaves through the outbox.
    async with scheduling.pool.acquire() as conn, conn.transaction():
        await episodes.set_lead(conn, referral.episode_id, LeadDiscipline.THERAPIST)
        transfer = LeadDisciplineTransferred(
            episode_id=referral.episode_id,
            from_discipline=LeadDiscipline.NURSE,
            to_discipline=LeadDiscipline.THERAPIST,
            transferred_at=datetime.now(UTC),
            transferred_by="Ruth Ellis",
        )
        await emit(conn, scheduling.outbox, await episodes.case_of(conn, referral.episode_id), transfer)

    sql = "SELECT * FROM visits WHERE episode_id = $1 AND purpose = 'assessment'"
    assert await eventually(lambda: _rows(scheduling, sql, referral.episode_id))
    await asyncio.sleep(1.0)  # a second assessment, if one were coming, would be planned by now
    (assessment,) = await _rows(scheduling, sql, referral.episode_id)
    assert assessment["discipline"] == "occupational-therapist"
    assert assessment["deadline"] - transfer.transferred_at == timedelta(days=1)
    assert await eventually(
        lambda: _rows(scheduling, "SELECT 1 FROM visits WHERE visit_id = $1 AND staff_id = $2", assessment["visit_id"], therapist)
    )
    (state,) = await _rows(scheduling, "SELECT lead_discipline FROM referral_state WHERE episode_id = $1", referral.episode_id)
    assert state["lead_discipline"] == "therapist"
    transfers = [
        e for e in _ours(transport, Topic.EPISODE, referral.episode_id) if isinstance(e.event, LeadDisciplineTransferred)
    ]
    assert len(transfers) == 1
    assert transfers[0].metadata.correlation_id == "case-mrs-a"


async def test_a_rejected_referral_has_its_open_visits_cancelled(
    scheduling: EventRuntime[SchedulingSettings], transport: MemoryTransport
) -> None:
    referral = await _a_referral(transport)  # nobody on shift: the first response stays planned, unassignable
    assert await eventually(lambda: _rows(scheduling, "SELECT 1 FROM visits WHERE episode_id = $1", referral.episode_id))
    (unassigned,) = await eventually(
        lambda: _rows(
            scheduling,
            "SELECT u.reason FROM unassigned_visits u JOIN visits v USING (visit_id) WHERE v.episode_id = $1",
            referral.episode_id,
        )
    )
    assert unassigned["reason"] == "no nurse on shift"
    rejected = ReferralRejected(
        episode_id=referral.episode_id,
        referral_id=referral.referral_id,
        rejected_at=datetime.now(UTC),
        rejected_by="Ruth Ellis",
        reason="Not for this service",
    )
    await publish(transport, rejected)

    async def cancelled() -> list[Any]:
        return [e for e in _ours(transport, Topic.VISIT, referral.episode_id) if isinstance(e.event, VisitCancelled)]

    (event,) = await eventually(cancelled)
    assert event.event.reason == "referral rejected"
    statuses = await _rows(scheduling, "SELECT status FROM visits WHERE episode_id = $1", referral.episode_id)
    assert [row["status"] for row in statuses] == ["cancelled"]


async def test_a_care_plan_becomes_visits_for_the_next_days(
    scheduling: EventRuntime[SchedulingSettings], transport: MemoryTransport
) -> None:
    referral = await _a_referral(transport, LeadDiscipline.SOCIAL_CARE)
    tomorrow = datetime.now(LONDON).date() + timedelta(days=1)
    line = RecurringVisit.model_validate(
        {
            "discipline": "carer",
            "preferred_windows": [{"start": "08:00", "end": "09:30"}, {"start": "18:00", "end": "19:30"}],
            "duration_minutes": 30,
            "starts_on": tomorrow.isoformat(),
            "ends_on": (tomorrow + timedelta(days=30)).isoformat(),
        }
    )
    plan = CarePlanAgreed(
        episode_id=referral.episode_id,
        care_plan_id=uuid4(),
        agreed_at=datetime.now(UTC),
        agreed_by_staff_id=uuid4(),
        visits=[line],
        declined=["A midday visit"],
    )
    await publish(transport, plan)
    sql = "SELECT earliest_start, preferred_start FROM visits WHERE care_plan_id = $1 ORDER BY earliest_start"
    made = await eventually(lambda: _rows(scheduling, sql, plan.care_plan_id))
    # Made two days ahead (the rest as the days come): tomorrow and the day after, morning and evening.
    assert [row["preferred_start"].astimezone(LONDON).strftime("%d %H:%M") for row in made] == [
        f"{day:%d} {hour}" for day in (tomorrow, tomorrow + timedelta(days=1)) for hour in ("08:00", "18:00")
    ]

    async def planned() -> list[VisitPlanned]:  # the outbox relay publishes them a moment after the commit
        events = [e.event for e in _ours(transport, Topic.VISIT, referral.episode_id) if isinstance(e.event, VisitPlanned)]
        ours = [event for event in events if event.care_plan_id == plan.care_plan_id]
        return ours if len(ours) >= 4 else []

    assert len(await eventually(planned)) == 4


async def test_the_ticks_re_plan_runs_once_per_period_whichever_instance_ticks(
    scheduling: EventRuntime[SchedulingSettings],
) -> None:
    """Every instance ticks; the first re-plans, the others (and the same one, soon after) find it recent."""
    settings = SchedulingSettings(database_url="postgresql://unused", replan_seconds=0.2, full_replan_minutes=15)
    assert await replan_now(scheduling, settings, TICK, unless_recent=True)
    assert not await replan_now(scheduling, settings, TICK, unless_recent=True)
    assert await replan_now(scheduling, settings, "visit overran")  # an overrun re-plans whatever the period
    runs = await _rows(scheduling, "SELECT trigger FROM plan_runs ORDER BY started_at")
    assert [run["trigger"] for run in runs if run["trigger"] in (TICK, "visit overran")] == [TICK, "visit overran"]


async def test_a_hospital_stay_pauses_the_visits_and_a_discharge_plans_a_reassessment_first(
    scheduling: EventRuntime[SchedulingSettings], transport: MemoryTransport
) -> None:
    referral = await _a_referral(transport, LeadDiscipline.SOCIAL_CARE)
    episode = referral.episode_id
    first = await eventually(lambda: _rows(scheduling, "SELECT visit_id FROM visits WHERE episode_id = $1", episode))
    tomorrow = datetime.now(LONDON).date() + timedelta(days=1)
    line = RecurringVisit.model_validate(
        {
            "discipline": "carer",
            "preferred_windows": [{"start": "08:00", "end": "09:30"}],
            "duration_minutes": 30,
            "starts_on": tomorrow.isoformat(),
            "ends_on": (tomorrow + timedelta(days=30)).isoformat(),
        }
    )
    plan = CarePlanAgreed(
        episode_id=episode, care_plan_id=uuid4(), agreed_at=datetime.now(UTC), agreed_by_staff_id=uuid4(), visits=[line]
    )
    await publish(transport, plan)
    care = "SELECT visit_id, status FROM visits WHERE care_plan_id = $1"
    await eventually(lambda: _rows(scheduling, care, plan.care_plan_id), what="the care plan's visits")

    now = datetime.now(UTC)
    stay = {"hospital_encounter_id": "hub:1", "nhs_number": referral.patient.nhs_number, "hospital": "County General"}
    await publish(transport, PatientAdmitted(episode_id=episode, admitted_at=now, **stay))
    await publish(transport, PatientAdmitted(episode_id=episode, admitted_at=now + timedelta(minutes=1), **stay))  # again
    await publish(transport, PatientAdmitted(admitted_at=now, **{**stay, "hospital_encounter_id": "adt:unmatched"}))

    async def all_cancelled() -> bool:
        rows = await _rows(scheduling, "SELECT status FROM visits WHERE episode_id = $1", episode)
        return {row["status"] for row in rows} == {"cancelled"}

    await eventually(all_cancelled, what="every open visit cancelled")
    cancelled = [e.event for e in _ours(transport, Topic.VISIT, episode) if isinstance(e.event, VisitCancelled)]
    assert {event.reason for event in cancelled} == {"admitted to hospital"}
    assert first[0]["visit_id"] in {event.visit_id for event in cancelled}
    stays = await _rows(scheduling, "SELECT admitted_at FROM hospital_stays WHERE episode_id = $1", episode)
    assert len(stays) == 1, "a second admission while in hospital changes nothing"

    # While in hospital the tick makes no visits; home again, a reassessment by the lead comes first.
    assert await replan_now(scheduling, SchedulingSettings(database_url="postgresql://unused"), TICK, unless_recent=False)
    open_care = "SELECT 1 FROM visits WHERE care_plan_id = $1 AND status <> 'cancelled'"
    assert await _rows(scheduling, open_care, plan.care_plan_id) == []
    home = datetime.now(UTC)
    await publish(transport, PatientDischarged(episode_id=episode, discharged_at=home, **stay))
    reassessment = await eventually(
        lambda: _rows(
            scheduling, "SELECT discipline, deadline FROM visits WHERE episode_id = $1 AND purpose = 'reassessment'", episode
        ),
        what="the reassessment",
    )
    assert [row["discipline"] for row in reassessment] == ["social-worker"]  # the social care lead
    assert reassessment[0]["deadline"] == home + timedelta(days=1)
    assert await replan_now(scheduling, SchedulingSettings(database_url="postgresql://unused"), TICK, unless_recent=False)
    resumed = await _rows(
        scheduling, "SELECT earliest_start FROM visits WHERE care_plan_id = $1 AND status <> 'cancelled'", plan.care_plan_id
    )
    assert all(row["earliest_start"] >= home + timedelta(days=1) for row in resumed), "nothing before the reassessment"

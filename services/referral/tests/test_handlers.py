"""The events the hub follows, on the in-memory broker and then on the real Kafka: an episode the
hub took moves on the board and every event goes on its timeline once; an episode it did not take
leaves no trace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from carerelay_contract.episode import EpisodeClosed
from carerelay_contract.triage import ResponseClockMet
from carerelay_contract.visit import VisitAssigned, VisitStarted
from carerelay_contract.vocabulary import EpisodeOutcome, ResponseTier

from .conftest import Hub, eventually, triage_decision

NOW = datetime.now(UTC).replace(microsecond=0)


async def _board_row(hub: Hub, referral_id: str) -> dict[str, Any]:
    async with hub.client("sophie") as client:
        row: dict[str, Any] = (await client.get(f"/api/referral/referrals/{referral_id}")).json()
    return row


async def _timeline(hub: Hub, referral_id: str) -> list[str]:
    async with hub.client("sophie") as client:
        items = (await client.get(f"/api/referral/referrals/{referral_id}/timeline")).json()["items"]
    return [item["type"] for item in items]


async def test_a_referral_moves_on_the_board_as_its_episode_goes_and_each_event_is_on_its_timeline(
    hub_on_each_broker: Hub,
) -> None:
    hub = hub_on_each_broker
    taken = (await hub.take()).json()
    episode, referral = UUID(taken["episode_id"]), UUID(taken["referral_id"])
    nurse = uuid4()
    await hub.publish(triage_decision(episode, referral, NOW))

    async def triaged() -> dict[str, Any] | None:
        row = await _board_row(hub, taken["referral_id"])
        return row if row["status"] == "triaged" else None

    row = await eventually(triaged, what="triage to move the board")
    assert (row["tier"], row["lead_discipline"], row["clock"]) == ("ucr-2h", "nurse", "running")

    visit = uuid4()
    await hub.publish(VisitAssigned(episode_id=episode, visit_id=visit, staff_id=nurse, planned_start=NOW + timedelta(hours=1)))
    await hub.publish(VisitStarted(episode_id=episode, visit_id=visit, staff_id=nurse, at=NOW + timedelta(minutes=70)))
    await hub.publish(
        ResponseClockMet(
            episode_id=episode,
            referral_id=referral,
            tier=ResponseTier.UCR_2H,
            deadline=NOW + timedelta(hours=2),
            first_contact_at=NOW + timedelta(minutes=70),
            minutes_to_first_contact=70,
        )
    )
    await hub.publish(
        EpisodeClosed(episode_id=episode, closed_at=NOW + timedelta(days=3), outcome=EpisodeOutcome.NO_FURTHER_SERVICES)
    )

    async def closed() -> dict[str, Any] | None:
        row = await _board_row(hub, taken["referral_id"])
        return row if row["status"] == "closed" else None

    row = await eventually(closed, what="the episode's closing to reach the board")
    assert row["first_visit_planned_start"] == (NOW + timedelta(hours=1)).isoformat()
    assert row["first_contact_at"] == (NOW + timedelta(minutes=70)).isoformat()
    assert row["clock"] == "met"
    assert await hub.query("SELECT staff_id FROM care_team WHERE episode_id = $1", episode) == [(nurse,)]
    timeline = await _timeline(hub, taken["referral_id"])
    assert sorted(timeline) == sorted(
        ["referral.received", "triage.completed", "visit.assigned", "visit.started", "response-clock.met", "episode.closed"]
    )


async def test_an_episode_the_hub_did_not_take_is_ignored_and_a_redelivered_event_counts_once(hub_on_each_broker: Hub) -> None:
    hub = hub_on_each_broker
    taken = (await hub.take()).json()
    episode, stranger = UUID(taken["episode_id"]), uuid4()
    await hub.publish(triage_decision(stranger, uuid4(), NOW), event_id="stranger-triage")
    await hub.publish(VisitAssigned(episode_id=stranger, visit_id=uuid4(), staff_id=uuid4(), planned_start=NOW), "stranger-visit")
    assigned = VisitAssigned(episode_id=episode, visit_id=uuid4(), staff_id=uuid4(), planned_start=NOW)
    for _ in range(2):  # the same event (same source and id) delivered twice
        await hub.publish(assigned, event_id="assigned-once")
    # A later event of the same episode (so the same partition) shows both copies were consumed.
    await hub.publish(VisitStarted(episode_id=episode, visit_id=assigned.visit_id, staff_id=assigned.staff_id, at=NOW))

    async def all_consumed() -> bool:
        stranger_handled = await hub.query(
            "SELECT 1 FROM processed_events WHERE event_id = ANY($1::text[])", ["stranger-triage", "stranger-visit"]
        )
        return len(stranger_handled) == 2 and "visit.started" in await _timeline(hub, taken["referral_id"])

    await eventually(all_consumed, what="every event to be consumed")
    assert await hub.query("SELECT 1 FROM timeline WHERE episode_id = $1", stranger) == []
    assert await hub.query("SELECT 1 FROM care_team WHERE episode_id = $1", stranger) == []
    assert (await _timeline(hub, taken["referral_id"])).count("visit.assigned") == 1
    assert len(await hub.query("SELECT 1 FROM care_team WHERE episode_id = $1", episode)) == 1

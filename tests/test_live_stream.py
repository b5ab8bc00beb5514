"""The live stream every screen subscribes to: events arrive as they happen, filtered by the access
matrix, and a screen that reconnects catches up from its last event id without duplicates."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from carerelay_contract.visit import VisitAssigned, VisitStarted

from .support.kafka import publish
from .support.sse import Screen
from .support.system import HUB_HANDLER, RunningSystem

NURSE_NORTH, COORDINATOR_NORTH, COORDINATOR_TEAM_PATIENT_POSTCODE = "amara.okafor", "daniel.hughes", "LE1 1AA"
AMARA = UUID("14e4a0c4-dde5-54f8-9ea9-ca46aaf78101")


async def _screen(system: RunningSystem, user: str, last_event_id: int | None = None) -> Screen:
    return await Screen(system.url("notifications"), await system.headers(user)).open(last_event_id)


async def _take(system: RunningSystem, body: dict[str, Any], postcode: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    changed["patient"]["postcode"] = postcode
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", json=changed)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_hub_screen_sees_a_referral_and_its_triage_as_they_happen(
    system: RunningSystem, referral_body: dict[str, Any]
) -> None:
    screen = await _screen(system, HUB_HANDLER)
    try:
        referral = await _take(system, referral_body, "LE5 2CC")
        received = await screen.wait_for(
            lambda e: e.type == "referral.received" and e.data["referral_id"] == referral["referral_id"]
        )
        triaged = await screen.wait_for(lambda e: e.type == "triage.completed" and e.data["episode_id"] == referral["episode_id"])
        assert triaged.id > received.id
        assert set(received.data) == {"episode_id", "referral_id", "visit_id", "staff_id", "type", "at"}, "ids only"
    finally:
        await screen.close()


async def test_a_reconnecting_screen_catches_up_without_duplicates(system: RunningSystem, referral_body: dict[str, Any]) -> None:
    screen = await _screen(system, HUB_HANDLER)
    first = await _take(system, referral_body, "LE3 5BB")
    seen = await screen.wait_for(lambda e: e.type == "triage.completed" and e.data["episode_id"] == first["episode_id"])
    await screen.close()  # the connection drops
    last_id = max(event.id for event in screen.events)

    missed = await _take(system, referral_body, "LE3 5BB")  # happens while the screen is away
    again = await _screen(system, HUB_HANDLER, last_event_id=last_id)
    try:
        await again.wait_for(lambda e: e.type == "triage.completed" and e.data["episode_id"] == missed["episode_id"])
        ids = [event.id for event in again.events]
        assert min(ids) > last_id, "nothing already seen is sent again"
        assert ids == sorted(set(ids)), "in order, each once"
        assert any(e.type == "referral.received" and e.data["referral_id"] == missed["referral_id"] for e in again.events)
        assert seen.id <= last_id
    finally:
        await again.close()


async def test_a_coordinator_sees_their_teams_people_only(system: RunningSystem, referral_body: dict[str, Any]) -> None:
    screen = await _screen(system, COORDINATOR_NORTH)
    try:
        east = await _take(system, referral_body, "LE5 2CC")
        north = await _take(system, referral_body, COORDINATOR_TEAM_PATIENT_POSTCODE)
        await screen.wait_for(lambda e: e.type == "triage.completed" and e.data["episode_id"] == north["episode_id"])
        hub = await _screen(system, HUB_HANDLER, last_event_id=0)
        try:
            await hub.wait_for(lambda e: e.type == "triage.completed" and e.data["episode_id"] == east["episode_id"])
        finally:
            await hub.close()
        assert not [e for e in screen.events if e.data["episode_id"] == east["episode_id"]]
    finally:
        await screen.close()


async def test_field_staff_see_only_the_people_they_are_assigned_to(system: RunningSystem, referral_body: dict[str, Any]) -> None:
    screen = await _screen(system, NURSE_NORTH)
    try:
        mine = await _take(system, referral_body, "LE1 1AA")
        not_mine = await _take(system, referral_body, "LE1 1AA")
        # Amara is assigned to the first person's visit; nobody tells her about the second.
        assignment = VisitAssigned(
            episode_id=UUID(mine["episode_id"]), visit_id=uuid4(), staff_id=AMARA, planned_start=datetime.now(UTC)
        )
        await publish(system.kafka, assignment)
        await screen.wait_for(lambda e: e.type == "visit.assigned" and e.data["episode_id"] == mine["episode_id"])
        for referral in (mine, not_mine):
            await publish(
                system.kafka,
                VisitStarted(episode_id=UUID(referral["episode_id"]), visit_id=uuid4(), staff_id=uuid4(), at=datetime.now(UTC)),
            )
        await screen.wait_for(lambda e: e.type == "visit.started" and e.data["episode_id"] == mine["episode_id"])
        hub = await _screen(system, HUB_HANDLER, last_event_id=0)
        try:
            await hub.wait_for(lambda e: e.type == "visit.started" and e.data["episode_id"] == not_mine["episode_id"])
        finally:
            await hub.close()
        assert not [e for e in screen.events if e.data["episode_id"] == not_mine["episode_id"]]
        assert {e.data["episode_id"] for e in screen.events} == {mine["episode_id"]}
    finally:
        await screen.close()


@pytest.mark.parametrize("user", ["hana.patel", "ian.whitlock"])
async def test_roles_without_a_stream_are_refused(system: RunningSystem, user: str) -> None:
    screen = await _screen(system, user)
    await screen.close()
    assert screen.status == 403


async def test_the_stream_needs_sign_in(system: RunningSystem) -> None:
    async with httpx.AsyncClient(base_url=system.url("notifications")) as client:
        response = await client.get("/api/notifications/stream")
    assert response.status_code == 401

"""The end of an episode (issue 15), on the real services: a clinician's discharge recommendation reaches
the hub, which closes the episode from it (its open visits cancelled, the board and the people told,
the care team's access ended), once; closing refuses bad input and changes nothing; and a referral is
cancelled from the hub before first contact (its planned visit cancelled), never after it."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx

from carerelay_contract.topics import Topic

from .support.kafka import wait_for_messages
from .support.system import HUB_CLINICIAN, HUB_HANDLER, RunningSystem
from .support.visits import AMARA, a_person, a_referred_visit, a_visit_for
from .support.waiting import eventually

NURSE, OTHER_NURSE = "amara.okafor", "tom.bryce"
CE = "uk.nhs.carerelay."


def _someone(given_name: str, family_name: str) -> dict[str, Any]:
    body = a_person(given_name, family_name, "12 Brook Street, Northgate", "Ring twice", "Recovering after a fall")
    body["patient"]["contact"] = {"mobile": "07700 900123", "preferred_channel": "sms"}
    return body


async def _act(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/api/scheduling{path}", json=body, headers={"Idempotency-Key": str(uuid4())})


async def _referral(system: RunningSystem, referral_id: str, user: str = HUB_CLINICIAN) -> httpx.Response:
    async with await system.client("referral", user) as client:
        return await client.get(f"/api/referral/referrals/{referral_id}")


async def test_the_hub_closes_an_episode_from_a_recommendation_once_and_access_ends(system: RunningSystem) -> None:
    visit = await a_visit_for(system, AMARA, _someone("Edna", "Hale"))
    episode = f"/episodes/{visit.episode_id}"
    async with await system.client("scheduling", NURSE) as nurse:
        recommended = await _act(
            nurse, f"{episode}/discharge-recommendation", {"outcome": "ongoing-care-package", "summary": "Package from Monday"}
        )
    assert recommended.status_code == 200, recommended.text
    recommendation_id = recommended.json()["recommendation_id"]

    # The hub sees it on the referral, and in its inbox.
    async def shown() -> bool:
        shown = (await _referral(system, visit.referral_id)).json()["discharge_recommendation"]
        return bool(
            shown
            == {
                "recommendation_id": recommendation_id,
                "outcome": "ongoing-care-package",
                "summary": "Package from Monday",
            }
        )

    await eventually(shown, what="the recommendation on the hub's referral")
    await eventually(lambda: system.told(visit.episode_id, "discharge-recommended"), what="the hub told")

    key = {"Idempotency-Key": str(uuid4())}
    async with await system.client("scheduling", HUB_CLINICIAN) as hub:
        closed = await hub.post(f"/api/scheduling{episode}/close", json={"recommendation_id": recommendation_id}, headers=key)
        retried = await hub.post(f"/api/scheduling{episode}/close", json={"recommendation_id": recommendation_id}, headers=key)
        again = await _act(hub, f"{episode}/close", {"outcome": "died"})
    assert closed.status_code == 200, closed.text
    assert (retried.json(), retried.headers.get("Idempotent-Replayed")) == (closed.json(), "true"), "a retry answers the first"
    assert (closed.json()["outcome"], closed.json()["cancelled_visits"]) == ("ongoing-care-package", [str(visit.visit_id)])
    assert again.status_code == 409
    assert again.json()["conflict"] == "state"
    assert "the episode was closed on" in again.json()["detail"]

    (closing,) = await wait_for_messages(
        system.kafka,
        system.topic(Topic.EPISODE),
        lambda m: m.key == str(visit.episode_id).encode() and m.ce_type.endswith("episode.closed.v1"),
    )
    assert closing.data["recommendation_id"] == recommendation_id
    assert (closing.data["outcome"], closing.data["summary"], closing.data["closed_by"]) == (
        "ongoing-care-package",
        "Package from Monday",
        "Ruth Ellis",
    )
    (cancelled,) = await system.events_of(Topic.VISIT, visit.episode_id, "visit.cancelled")
    assert cancelled.data["visit_id"] == str(visit.visit_id)
    assert cancelled.data["reason"] == "episode closed: onward care package"
    statuses = await system.query("scheduling", "SELECT status FROM visits WHERE episode_id = $1", visit.episode_id)
    assert [row["status"] for row in statuses] == ["cancelled"]

    # The board, the nurse who held the visit, and the person are told.
    async def board_closed() -> dict[str, Any] | None:
        row = (await _referral(system, visit.referral_id)).json()
        return row if row["status"] == "closed" else None

    row = await eventually(board_closed, what="the referral closed on the board")
    assert (row["outcome"], row["discharge_recommendation"]) == ("ongoing-care-package", None)
    await eventually(lambda: system.told(visit.episode_id, "visit-cancelled"), what="the nurse told")
    (told,) = await eventually(lambda: system.told(visit.episode_id, "care-ended"), what="the person told")
    assert (told["audience"], told["channel"]) == ("patient", "sms")

    # The nurse's access that came from the episode has ended: she may neither act on it nor read it.
    async def care_team_ended() -> bool:
        return (await _referral(system, visit.referral_id, NURSE)).status_code == 404

    await eventually(care_team_ended, what="the nurse's access to the referral to end")
    async with await system.client("scheduling", NURSE) as nurse:
        refused = await _act(nurse, f"{episode}/consent", {"scope": "family-involvement"})
    assert refused.status_code == 404
    assert len(await system.events_of(Topic.EPISODE, visit.episode_id, "episode.closed")) == 1, "closed once"
    assert await system.events_of(Topic.EPISODE, visit.episode_id, "consent.recorded") == []


async def test_closing_refuses_bad_input_and_changes_nothing(system: RunningSystem) -> None:
    visit = await a_visit_for(system, AMARA, _someone("Frank", "Ives"))
    path = f"/episodes/{visit.episode_id}/close"
    async with await system.client("scheduling", HUB_CLINICIAN) as hub:
        no_outcome = await _act(hub, path, {"summary": "Done"})
        bad_outcome = await _act(hub, path, {"outcome": "cured"})
        not_its_recommendation = await _act(hub, path, {"recommendation_id": str(uuid4())})
        unknown_field = await _act(hub, path, {"outcome": "died", "cause": "x"})
    async with await system.client("scheduling", HUB_HANDLER) as handler:
        call_handler = await _act(handler, path, {"outcome": "died"})
    async with await system.client("scheduling", OTHER_NURSE) as other:
        not_theirs = await _act(other, path, {"outcome": "died"})

    def fields(response: httpx.Response) -> list[str]:
        return [str(error["field"]) for error in response.json()["errors"]]

    assert no_outcome.status_code == 422
    assert "outcome" in no_outcome.text
    assert bad_outcome.status_code == 422
    assert any(name.endswith("outcome") for name in fields(bad_outcome))
    assert not_its_recommendation.status_code == 422
    assert any(name.endswith("recommendation_id") for name in fields(not_its_recommendation))
    assert unknown_field.status_code == 422
    assert any(name.endswith("cause") for name in fields(unknown_field))
    assert call_handler.status_code == 403
    assert not_theirs.status_code == 404
    assert await system.events_of(Topic.EPISODE, visit.episode_id, "episode.closed") == []
    rows = await system.query("scheduling", "SELECT status FROM visits WHERE visit_id = $1", visit.visit_id)
    assert rows[0]["status"] == "assigned"
    assert await system.query("scheduling", "SELECT 1 FROM episode_closures WHERE episode_id = $1", visit.episode_id) == []


async def test_a_referral_is_cancelled_before_first_contact_with_a_reason_and_its_visit_cancelled(
    system: RunningSystem,
) -> None:
    arranged = await a_referred_visit(system, _someone("Gwen", "Jukes"))
    cancel = f"/api/referral/referrals/{arranged.referral_id}/cancel"
    async with await system.client("referral", HUB_HANDLER) as handler:
        no_reason = await handler.post(cancel, json={"reason": ""})
        markup = await handler.post(cancel, json={"reason": "<script>x</script>"})
        cancelled = await handler.post(cancel, json={"reason": "The GP called back: admitted to hospital last night"})
        again = await handler.post(cancel, json={"reason": "Twice"})
    assert no_reason.status_code == 422
    assert "reason" in no_reason.text
    assert markup.status_code == 422
    assert "reason" in markup.text
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["cancellation_reason"]) == (
        "cancelled",
        "The GP called back: admitted to hospital last night",
    )
    assert again.status_code == 409
    (event,) = await wait_for_messages(
        system.kafka,
        system.topic(Topic.REFERRAL),
        lambda m: m.key == str(arranged.episode_id).encode() and m.ce_type.endswith("referral.cancelled.v1"),
    )
    assert event.data["cancelled_by"] == "Sophie Reid"
    (visit_cancelled,) = await wait_for_messages(
        system.kafka,
        system.topic(Topic.VISIT),
        lambda m: m.key == str(arranged.episode_id).encode() and m.ce_type.endswith("visit.cancelled.v1"),
    )
    assert visit_cancelled.data["reason"] == "referral cancelled"


async def test_after_first_contact_a_referral_is_closed_not_cancelled(system: RunningSystem) -> None:
    visit = await a_visit_for(system, AMARA, _someone("Hilda", "Kerr"))
    async with await system.client("scheduling", NURSE) as nurse:
        assert (await _act(nurse, f"/visits/{visit.visit_id}/en-route", {})).status_code == 200
        assert (await _act(nurse, f"/visits/{visit.visit_id}/arrived", {})).status_code == 200

    async def first_contact() -> bool:
        return bool((await _referral(system, visit.referral_id)).json()["status"] == "first-contact-made")

    await eventually(first_contact, what="first contact on the board")
    async with await system.client("referral", HUB_CLINICIAN) as hub:
        refused = await hub.post(f"/api/referral/referrals/{visit.referral_id}/cancel", json={"reason": "No longer needed"})
    assert refused.status_code == 409
    assert refused.json()["conflict"] == "first-contact-made"
    assert await system.events_of(Topic.REFERRAL, visit.episode_id, "referral.cancelled") == []

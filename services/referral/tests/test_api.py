"""The hub's API in this process (the in-memory broker, a throwaway database): a retried submit or
addition is done once, a referral is decided once, and what is refused says which field and why."""

from __future__ import annotations

from uuid import uuid4

from carerelay_testing.factories import mrs_a

from .conftest import Hub

RECEIVED, ACCEPTED, UPDATED = (f"uk.nhs.carerelay.referral.{kind}.v1" for kind in ("received", "accepted", "updated"))


async def test_a_retried_submit_returns_the_first_referral_and_publishes_once(hub: Hub) -> None:
    key = f"submit-{uuid4()}"
    first = await hub.take(headers={"Idempotency-Key": key, "X-Correlation-ID": "case-mrs-a"})
    again = await hub.take(headers={"Idempotency-Key": key})
    bars_retry = await hub.take(headers={"X-Request-ID": key})
    assert first.status_code == 201, first.text
    assert first.headers["Location"] == f"/api/referral/referrals/{first.json()['referral_id']}"
    assert first.headers["X-Correlation-ID"] == "case-mrs-a"
    assert (again.status_code, bars_retry.status_code) == (200, 200)
    assert again.json() == bars_retry.json() == first.json()
    assert first.json()["correlation_id"] == "case-mrs-a"
    assert await hub.outbox_types(first.json()["episode_id"]) == [RECEIVED]
    rows = await hub.query("SELECT idempotency_key FROM referrals")
    assert [row["idempotency_key"] for row in rows] == [key]


async def test_an_integrators_keys_never_collide_with_anyone_elses(hub: Hub) -> None:
    key = f"ehr-{uuid4()}"
    from_ehr = await hub.take("ehr", headers={"X-Request-ID": key})
    from_hub = await hub.take("sophie", headers={"Idempotency-Key": key})
    assert (from_ehr.status_code, from_hub.status_code) == (201, 201)
    assert from_ehr.json()["referral_id"] != from_hub.json()["referral_id"]
    stored = await hub.query("SELECT submitted_by, idempotency_key FROM referrals ORDER BY received_at")
    assert [tuple(row) for row in stored] == [("county-general-ehr", f"county-general-ehr:{key}"), (None, key)]


async def test_a_key_used_again_for_another_action_is_refused_naming_the_header(hub: Hub) -> None:
    key = f"reused-{uuid4()}"
    taken = (await hub.take(headers={"Idempotency-Key": key})).json()
    async with hub.client("sophie") as client:
        response = await client.post(
            f"/api/referral/referrals/{taken['referral_id']}/additions", json={"reason": "More"}, headers={"Idempotency-Key": key}
        )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_a_retried_addition_is_added_once(hub: Hub) -> None:
    taken = (await hub.take()).json()
    addition = {"known_risks": "Dog in the house", "presenting_needs": ["fall", "medication"]}
    key = f"add-{uuid4()}"
    async with hub.client("sophie") as client:
        url = f"/api/referral/referrals/{taken['referral_id']}/additions"
        first = await client.post(url, json=addition, headers={"Idempotency-Key": key})
        again = await client.post(url, json=addition, headers={"Idempotency-Key": key})
        full = (await client.get(f"/api/referral/referrals/{taken['referral_id']}")).json()
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert sorted(first.json()["presenting_needs"]) == ["fall", "medication", "reduced-function"]
    assert [entry["known_risks"] for entry in full["referral"]["additions"]] == ["Dog in the house"]
    assert await hub.outbox_types(taken["episode_id"]) == [RECEIVED, UPDATED]


async def test_a_referral_is_decided_once_and_the_hub_asks_no_one_to_tell_the_referrer(hub: Hub) -> None:
    taken = (await hub.take()).json()
    async with hub.client("ruth") as client:
        accepted = await client.post(f"/api/referral/referrals/{taken['referral_id']}/accept", json={})
        again = await client.post(f"/api/referral/referrals/{taken['referral_id']}/reject", json={"reason": "Changed my mind"})
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["decided_by"]) == ("accepted", "Ruth Ellis")
    assert again.status_code == 409
    assert again.json() == {"detail": "the referral is already accepted", "conflict": "already-decided", "status": "accepted"}
    # notification.requested has one producer, notifications, which follows referral.accepted.
    assert await hub.outbox_types(taken["episode_id"]) == [RECEIVED, ACCEPTED]
    attempts = await hub.query("SELECT outcome FROM audit_log WHERE action = 'referral.decide' ORDER BY seq")
    assert len(attempts) == 3  # two reads of the referral to decide, and the decision itself


async def test_nothing_is_added_to_a_rejected_referral(hub: Hub) -> None:
    taken = (await hub.take()).json()
    async with hub.client("ruth") as client:
        await client.post(f"/api/referral/referrals/{taken['referral_id']}/reject", json={"reason": "Needs a hospital bed"})
        refused = await client.post(f"/api/referral/referrals/{taken['referral_id']}/additions", json={"reason": "More"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "the referral is rejected: take a new referral instead"


async def test_a_call_handler_may_not_decide(hub: Hub) -> None:
    taken = (await hub.take()).json()
    async with hub.client("sophie") as client:
        response = await client.post(f"/api/referral/referrals/{taken['referral_id']}/accept", json={})
    assert response.status_code == 403


async def test_what_is_refused_names_the_field_and_nothing_is_stored(hub: Hub) -> None:
    unknown_practice = await hub.take(patient=mrs_a(gp_practice_code="C82099"))
    marked_up = await hub.take(reason="<script>alert(1)</script>")
    assert (unknown_practice.status_code, marked_up.status_code) == (422, 422)
    assert [e["field"] for e in unknown_practice.json()["errors"]] == ["patient.gp_practice_code"]
    assert [e["field"] for e in marked_up.json()["errors"]] == ["reason"]
    assert await hub.query("SELECT 1 FROM referrals") == []
    async with hub.client("sophie") as client:
        search = await client.post("/api/referral/open-episodes/search", json={"nhs_number": "9990000019"})
    assert search.status_code == 422
    assert search.json()["errors"][0]["field"] == "nhs_number"


async def test_the_open_episode_check_finds_an_open_referral_by_nhs_number(hub: Hub) -> None:
    taken = (await hub.take()).json()
    async with hub.client("sophie") as client:
        found = (await client.post("/api/referral/open-episodes/search", json={"nhs_number": "999 000 0018"})).json()
        practices = (await client.get("/api/referral/practices", params={"q": "mill"})).json()
    assert [item["referral_id"] for item in found["items"]] == [taken["referral_id"]]
    assert practices["items"] == [{"code": "C82001", "name": "Mill Lane Surgery", "postcode": "LE1 1AA"}]

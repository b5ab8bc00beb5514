"""The hub's cancellation and hospital stay, in this process on its own database (issue 15): each
writes its state and its one event together, refuses what means nothing now (409) and bad input (422,
the field named) and then changes nothing; an integrator cancels only what it sent."""

from __future__ import annotations

from typing import Any

import orjson

from .conftest import Hub

CE = "uk.nhs.carerelay."
RECEIVED, ACCEPTED = f"{CE}referral.received.v1", f"{CE}referral.accepted.v1"


async def _accepted(hub: Hub) -> dict[str, Any]:
    taken: dict[str, Any] = (await hub.take()).json()
    async with hub.client("ruth") as client:
        assert (await client.post(f"/api/referral/referrals/{taken['referral_id']}/accept", json={})).status_code == 200
    return taken


async def test_the_hub_cancels_with_a_reason_once_and_bad_input_changes_nothing(hub: Hub) -> None:
    taken = (await hub.take()).json()
    path = f"/api/referral/referrals/{taken['referral_id']}/cancel"
    async with hub.client("sophie") as client:
        empty = await client.post(path, json={"reason": ""})
        missing = await client.post(path, json={})
        markup = await client.post(path, json={"reason": "<b>no</b>"})
        cancelled = await client.post(path, json={"reason": "The referrer withdrew it"})
        again = await client.post(path, json={"reason": "Twice"})
    assert [r.status_code for r in (empty, missing, markup)] == [422, 422, 422]
    assert all(r.json()["errors"][0]["field"] == "reason" for r in (empty, missing, markup))
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["cancellation_reason"]) == ("cancelled", "The referrer withdrew it")
    assert again.status_code == 409
    assert again.json()["conflict"] == "not-open"
    assert await hub.outbox_types(taken["episode_id"]) == [RECEIVED, f"{CE}referral.cancelled.v1"]


async def test_an_integrator_cancels_only_its_own_submissions(hub: Hub) -> None:
    from_the_desk = (await hub.take()).json()
    sent = (await hub.take(who="ehr")).json()
    async with hub.client("ehr") as client:
        not_its_own = await client.post(f"/api/referral/referrals/{from_the_desk['referral_id']}/cancel", json={"reason": "x"})
        its_own = await client.post(f"/api/referral/referrals/{sent['referral_id']}/cancel", json={"reason": "Sent in error"})
    assert not_its_own.status_code == 404
    assert its_own.status_code == 200
    rows = await hub.query("SELECT decided_by FROM referrals WHERE referral_id = $1::uuid", sent["referral_id"])
    assert rows[0]["decided_by"] == "county-general-ehr"
    assert await hub.outbox_types(from_the_desk["episode_id"]) == [RECEIVED]


async def test_an_admission_and_a_discharge_each_publish_once_and_carry_the_stay(hub: Hub) -> None:
    taken = await _accepted(hub)
    base = f"/api/referral/referrals/{taken['referral_id']}"
    async with hub.client("sophie") as client:
        too_soon = await client.post(f"{base}/discharge", json={})
        no_hospital = await client.post(f"{base}/admission", json={"ward": "Ward 7"})
        future = await client.post(
            f"{base}/admission", json={"hospital": "County General", "admitted_at": "2999-01-01T00:00:00Z"}
        )
        markup = await client.post(f"{base}/admission", json={"hospital": "<script>x</script>"})
        admitted = await client.post(f"{base}/admission", json={"hospital": "County General", "ward": "Ward 7"})
        twice = await client.post(f"{base}/admission", json={"hospital": "County General"})
        home = await client.post(f"{base}/discharge", json={})
    assert (too_soon.status_code, too_soon.json()["conflict"]) == (409, "not-in-hospital")
    assert no_hospital.status_code == 422
    assert no_hospital.json()["errors"][0]["field"] == "hospital"
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "admitted_at"
    assert (markup.status_code, markup.json()["errors"][0]["field"]) == (422, "hospital")
    assert admitted.status_code == 200, admitted.text
    stay = admitted.json()["hospital_stay"]
    assert (stay["hospital"], stay["ward"]) == ("County General", "Ward 7")
    assert (twice.status_code, twice.json()["conflict"]) == (409, "in-hospital")
    assert home.status_code == 200
    assert home.json()["hospital_stay"] is None
    assert await hub.outbox_types(taken["episode_id"]) == [
        RECEIVED,
        ACCEPTED,
        f"{CE}patient.admitted.v1",
        f"{CE}patient.discharged.v1",
    ]
    rows = await hub.query("SELECT headers, payload FROM event_outbox WHERE record_key = $1 ORDER BY seq", taken["episode_id"])
    stays = [orjson.loads(row["payload"]) for row in rows if "patient." in dict(orjson.loads(row["headers"]))["ce_type"]]
    assert len({data["hospital_encounter_id"] for data in stays}) == 1, "the discharge names the admission's encounter"
    assert {data["nhs_number"] for data in stays} == {"9990000018"}


async def test_a_stay_is_for_an_accepted_open_episode_only(hub: Hub) -> None:
    taken = (await hub.take()).json()
    async with hub.client("ruth") as client:
        refused = await client.post(
            f"/api/referral/referrals/{taken['referral_id']}/admission", json={"hospital": "County General"}
        )
    assert (refused.status_code, refused.json()["conflict"]) == (409, "not-in-care")
    assert await hub.outbox_types(taken["episode_id"]) == [RECEIVED]

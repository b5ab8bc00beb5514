"""Bad input gets a clear error naming the field and the reason, and changes nothing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from carerelay_contract.topics import Topic

from .support.kafka import read_all
from .support.system import HUB_HANDLER, RunningSystem


def _with(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = changed
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return changed


_DELETE = object()
OBSERVATIONS = {
    "respiration_rate": 18,
    "spo2_percent": 96,
    "on_supplemental_oxygen": False,
    "systolic_bp": 120,
    "pulse": 80,
    "consciousness": "A",
    "temperature_celsius": 37.0,
}


@pytest.mark.parametrize(
    ("path", "value", "field", "reason"),
    [
        ("patient.nhs_number", "9990000019", "patient.nhs_number", "check digit is wrong"),
        ("patient.nhs_number", "12345", "patient.nhs_number", "exactly 10 digits"),
        ("patient.date_of_birth", "2999-01-01", "patient", "date_of_birth is in the future"),
        ("reason", _DELETE, "reason", "Field required"),
        ("presenting_needs", [], "presenting_needs", "at least 1 item"),
        ("presenting_needs", ["bad-knees"], "presenting_needs.0", "Input should be"),
        ("patient.gp_practice_code", "not a code", "patient.gp_practice_code", "should match pattern"),
        ("reason", "x" * 5000, "reason", "at most 4000 characters"),
        ("referrer.callback_number", "call me", "referrer.callback_number", "should match pattern"),
        ("patient.gp_practice_code", "C82099", "patient.gp_practice_code", "unknown GP practice code"),
        ("reason", "Fell <img src=x onerror=alert(1)>", "reason", "must not contain markup"),
        ("patient.family_name", "<b>Archer</b>", "patient.family_name", "must not contain markup"),
        ("observations", {**OBSERVATIONS, "spo2_percent": 140}, "observations.spo2_percent", "less than or equal to 100"),
        ("observations", {**OBSERVATIONS, "pulse": -3}, "observations.pulse", "greater than or equal to 20"),
    ],
)
async def test_invalid_referral_is_refused_with_field_and_reason_and_nothing_is_stored_or_published(
    system: RunningSystem, referral_body: dict[str, Any], path: str, value: Any, field: str, reason: str
) -> None:
    before_rows = await system.query("referral", "SELECT count(*) AS n FROM referrals")
    before_outbox = await system.query("referral", "SELECT count(*) AS n FROM event_outbox")
    before_topic = len(await read_all(system.kafka, system.topic(Topic.REFERRAL)))

    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", json=_with(referral_body, path, value))

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(error["field"] == field and reason in error["reason"] for error in errors), errors
    assert "9990000019" not in response.text, "the error names the field, it does not echo the value"
    assert (await system.query("referral", "SELECT count(*) AS n FROM referrals"))[0]["n"] == before_rows[0]["n"]
    assert (await system.query("referral", "SELECT count(*) AS n FROM event_outbox"))[0]["n"] == before_outbox[0]["n"]
    assert len(await read_all(system.kafka, system.topic(Topic.REFERRAL))) == before_topic


async def test_not_json_at_all_is_a_clear_422(system: RunningSystem) -> None:
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", content=b"{oops", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["reason"]


async def test_unknown_referral_is_404(system: RunningSystem) -> None:
    async with await system.client("referral", HUB_HANDLER) as client:
        missing = await client.get("/api/referral/referrals/00000000-0000-0000-0000-000000000000")
        malformed = await client.get("/api/referral/referrals/not-a-uuid")
    assert missing.status_code == 404
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "referral_id"

"""The demo county's people at home: Mrs A's care plan (a carer twice a day, morning and evening,
for five weeks; she declined a midday visit) and a caseload of synthetic people on reablement and
care plans across the three teams, so that the planner has a real day to plan. Everything goes
through the services' APIs, as a hub would: referrals, acceptance, care plans, then the day's plans.

Synthetic people only; NHS numbers valid by Modulus 11, from the 999 range reserved for testing.
Idempotent: fixed idempotency keys for referrals; a care plan is agreed once per episode."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from . import rota

LONDON = ZoneInfo("Europe/London")

GIVEN = ["Arthur", "Beryl", "Cyril", "Doris", "Edna", "Frank", "Gladys", "Harold", "Irene", "Jack", "Kathleen", "Leonard"]
FAMILY = ["Ashworth", "Bennett", "Carter", "Dawson", "Ellis", "Fletcher", "Gibson", "Holt", "Ingram", "Jarvis", "Kirby", "Lowe"]
STREETS = ["Church Lane", "Station Road", "Park View", "Victoria Street", "The Green", "Meadow Close"]


@dataclass(frozen=True)
class Area:
    team: str
    postcode: str
    latitude: float
    longitude: float
    practice: str


AREAS = [
    Area("north", "LE1 {n}AA", 52.6369, -1.1398, "C82001"),
    Area("riverside", "LE3 {n}BB", 52.6050, -1.1900, "C82002"),
    Area("east", "LE5 {n}CC", 52.6290, -1.0850, "C82003"),
]

CARE_LINES: list[list[dict[str, Any]]] = [
    [
        {
            "discipline": "carer",
            "windows": [("07:30", "09:30"), ("18:00", "20:00")],
            "minutes": 30,
            "skills": ["medication-prompt"],
        }
    ],
    [
        {
            "discipline": "carer",
            "windows": [("08:00", "10:00"), ("12:00", "13:30"), ("19:00", "21:00")],
            "minutes": 30,
            "skills": [],
        }
    ],
    [{"discipline": "reablement-worker", "windows": [("09:00", "11:00")], "minutes": 45, "skills": []}],
    [{"discipline": "carer", "windows": [("07:00", "09:00"), ("20:00", "21:30")], "minutes": 45, "skills": [], "double": True}],
]

MRS_A_PLAN: dict[str, Any] = {
    "discipline": "carer",
    "windows": [("07:30", "09:30"), ("18:00", "20:00")],
    "minutes": 30,
    "skills": ["medication-prompt"],
}
MRS_A_DECLINED = ["A midday visit: she manages her own lunch and prefers the quiet."]


def nhs_number(serial: int) -> str:
    """A test-range NHS number (999...) with a valid Modulus 11 check digit."""
    while True:
        body = f"999{serial:06d}"
        total = sum(int(digit) * weight for digit, weight in zip(body, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return body + str(check)
        serial += 1


def caseload(size: int = 15) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """Referrals (idempotency key, body) and each person's care plan lines, the same every run."""
    pick = random.Random(2026)
    people = []
    for index in range(size):
        area = AREAS[index % len(AREAS)]
        given, family = GIVEN[(index * 7) % len(GIVEN)], FAMILY[(index * 5 + index // len(FAMILY)) % len(FAMILY)]
        body = {
            "referrer": {"role": "ward-team", "organisation": "County General, Ward 7", "callback_number": "0116 496 0100"},
            "patient": {
                "nhs_number": nhs_number(100 + index * 7),
                "given_name": given,
                "family_name": family,
                "date_of_birth": f"{1930 + index % 20}-0{1 + index % 9}-1{index % 9}",
                "address": f"{3 + index} {STREETS[index % len(STREETS)]}",
                "postcode": area.postcode.format(n=1 + index % 9),
                "gp_practice_code": area.practice,
                "latitude": round(area.latitude + pick.uniform(-0.03, 0.03), 5),
                "longitude": round(area.longitude + pick.uniform(-0.05, 0.05), 5),
            },
            "route": "step-down",
            "reason": "Home from hospital; reablement and personal care while they get back on their feet.",
            "presenting_needs": ["discharge-support", "reablement"],
            "access_notes": f"Key safe code from the hub; {pick.choice(['back door', 'front porch', 'side gate'])}",
            "consent_to_share": True,
        }
        people.append((f"demo-county-{index}", body, CARE_LINES[index % len(CARE_LINES)]))
    return people


def recurring(line: dict[str, Any], starts_on: date, days: int) -> dict[str, Any]:
    return {
        "discipline": line["discipline"],
        "purpose": "care",
        "preferred_windows": [{"start": start, "end": end} for start, end in line["windows"]],
        "duration_minutes": line["minutes"],
        "required_skills": line["skills"],
        "double_handed": bool(line.get("double")),
        "starts_on": starts_on.isoformat(),
        "ends_on": (starts_on + timedelta(days=days - 1)).isoformat(),
    }


async def accept_when_triaged(hub: httpx.AsyncClient, referral_id: str) -> None:
    """The hub clinician accepts the referral once triage has decided (it was accepted on the ward's call)."""
    for _ in range(100):
        status = (await hub.get(f"/api/referral/referrals/{referral_id}")).json().get("status")
        if status != "received":
            break
        await asyncio.sleep(0.2)
    if status == "triaged":
        (await hub.post(f"/api/referral/referrals/{referral_id}/accept", json={})).raise_for_status()


async def agree_care_plan(
    scheduling: httpx.AsyncClient, episode_id: str, visits: list[dict[str, Any]], declined: list[str]
) -> bool:
    """Agree a person's care plan once (the idempotency key is the episode), retrying while scheduling
    has not yet heard of the person (their referral's event is on its way)."""
    body = {
        "episode_id": episode_id,
        "agreed_by_staff_id": str(rota.staff_id("Nurse Amara Okafor")),
        "visits": visits,
        "declined": declined,
    }
    for _ in range(100):
        response = await scheduling.post(
            "/api/scheduling/care-plans", json=body, headers={"Idempotency-Key": f"care-plan-{episode_id}"}
        )
        errors = response.json().get("errors", []) if response.status_code == 422 else []
        if not any(error.get("field") == "episode_id" for error in errors):
            if response.is_error:
                raise RuntimeError(f"agreeing a demo care plan failed: {response.status_code} {response.text}")
            return True
        await asyncio.sleep(0.2)
    return False


async def load_county(web_origin: str, handler_token: str, clinician_token: str, mrs_a_episode: str | None) -> dict[str, int]:
    """Refer and accept the caseload, agree everyone's care plan (Mrs A's too), plan today and tomorrow."""
    today = datetime.now(UTC).astimezone(LONDON).date()
    counts = {"referrals": 0, "care_plans": 0}
    handler = httpx.AsyncClient(base_url=web_origin, timeout=30, headers={"Authorization": f"Bearer {handler_token}"})
    clinician = httpx.AsyncClient(base_url=web_origin, timeout=60, headers={"Authorization": f"Bearer {clinician_token}"})
    async with handler, clinician:
        plans: list[tuple[str, list[dict[str, Any]], list[str]]] = []
        for key, body, lines in caseload():
            created = await handler.post("/api/referral/referrals", json=body, headers={"Idempotency-Key": key})
            created.raise_for_status()
            counts["referrals"] += 1
            summary = created.json()
            await accept_when_triaged(clinician, summary["referral_id"])
            plans.append((summary["episode_id"], [recurring(line, today, 21) for line in lines], []))
        if mrs_a_episode is not None:
            plans.append((mrs_a_episode, [recurring(MRS_A_PLAN, today, 35)], MRS_A_DECLINED))
        for episode_id, visits, declined in plans:
            counts["care_plans"] += int(await agree_care_plan(clinician, episode_id, visits, declined))
        await asyncio.sleep(2)  # the plans' events reach scheduling's consumer, which makes the visits
        for day in (today, today + timedelta(days=1)):
            (await clinician.post("/api/scheduling/plans", json={"day": day.isoformat()})).raise_for_status()
    return counts

"""Demo referrals for the synthetic county, taken through the hub's API as a newcomer would (the
rota is in rota.py, the caseload in county.py). Synthetic people; NHS numbers valid by Modulus 11
but from the 999 range that NHS England reserves for testing. Idempotent: fixed keys, so a second
run adds nothing."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx

DEMO_REFERRALS: list[tuple[str, dict[str, Any]]] = [
    (
        "demo-mrs-a",
        {
            "referrer": {"role": "gp", "organisation": "Northgate Surgery", "callback_number": "0116 496 0001"},
            "patient": {
                "nhs_number": "9990000018",
                "given_name": "Alice",
                "family_name": "Archer",
                "date_of_birth": "1938-04-02",
                "address": "4 Mill Lane, Northgate",
                "postcode": "LE1 1AA",
                "gp_practice_code": "C82001",
                "latitude": 52.6401,
                "longitude": -1.1302,
                "contact": {"email": "alice.archer@example.invalid", "preferred_channel": "email"},
            },
            "route": "step-up",
            "reason": "Increasingly unsteady at home, struggling with medication; lives alone.",
            "presenting_needs": ["reduced-function", "medication"],
            "known_risks": "Falls risk",
            "access_notes": "Key safe by the back door",
            "consent_to_share": True,
            # Her daughter is told the plan, and when a carer is running late, with Mrs A's permission.
            "family_contact": {
                "contact_id": "5b0c6a57-2f7e-4c1b-9a43-3f1f1e2d7a01",
                "relationship": "daughter",
                "may_be_told_plan": True,
                "contact": {"email": "daughter.archer@example.invalid", "preferred_channel": "email"},
            },
        },
    ),
    (
        "demo-ethel",
        {
            "referrer": {"role": "gp", "organisation": "Riverside Practice", "callback_number": "0116 496 0002"},
            "patient": {
                "nhs_number": "9990000026",
                "given_name": "Ethel",
                "family_name": "Barnes",
                "date_of_birth": "1931-09-17",
                "address": "22 Canal Street, Riverside",
                "postcode": "LE3 5BB",
                "gp_practice_code": "C82002",
            },
            "route": "step-up",
            "reason": "Fall at home this morning, no serious injury, cannot get up without help.",
            "presenting_needs": ["fall"],
            "consent_to_share": True,
            "observations": {
                "respiration_rate": 18,
                "spo2_percent": 95,
                "on_supplemental_oxygen": False,
                "systolic_bp": 118,
                "pulse": 92,
                "consciousness": "A",
                "temperature_celsius": 36.8,
            },
            "clinical_frailty_scale": 6,
        },
    ),
    (
        "demo-reg",
        {
            "referrer": {"role": "ward-team", "organisation": "County General, Ward 7", "callback_number": "0116 496 0003"},
            "patient": {
                "nhs_number": "9990000034",
                "given_name": "Reginald",
                "family_name": "Cole",
                "date_of_birth": "1944-12-01",
                "address": "9 Orchard Close, Eastfield",
                "postcode": "LE5 2CC",
                "gp_practice_code": "C82003",
            },
            "route": "step-down",
            "reason": "Medically fit for discharge after pneumonia; needs reablement at home.",
            "presenting_needs": ["discharge-support", "reablement"],
            "consent_to_share": True,
        },
    ),
]


async def submit_referrals(referral_api: str, token: str) -> list[str]:
    """Take the demo referrals through the hub's API, signed in as a hub call handler; return their ids."""
    ids = []
    async with httpx.AsyncClient(base_url=referral_api, timeout=10, headers={"Authorization": f"Bearer {token}"}) as client:
        for key, body in DEMO_REFERRALS:
            assert date.fromisoformat(body["patient"]["date_of_birth"]) < date.today()
            response = await client.post("/api/referral/referrals", json=body, headers={"Idempotency-Key": key})
            response.raise_for_status()
            ids.append(response.json()["referral_id"])
    return ids


async def accept_some(referral_api: str, token: str, referral_ids: list[str]) -> None:
    """A hub clinician accepts all but the last demo referral, so the board shows referrals at several stages."""
    async with httpx.AsyncClient(base_url=referral_api, timeout=10, headers={"Authorization": f"Bearer {token}"}) as client:
        for referral_id in referral_ids[:-1]:
            for _ in range(50):  # wait for triage's decision before accepting
                status = (await client.get(f"/api/referral/referrals/{referral_id}")).json().get("status")
                if status != "received":
                    break
                await asyncio.sleep(0.2)
            if status == "triaged":
                (await client.post(f"/api/referral/referrals/{referral_id}/accept", json={})).raise_for_status()

"""Test data, written once: Mrs A's referral (the story in ../shared/domain.md) as the hub takes it
and as the bus carries it, and fresh NHS numbers from the 999 test range. Synthetic people only."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from carerelay_clinical.nhs_number import check_digit

MRS_A_NHS_NUMBER = "9990000018"
"""Mrs A's NHS number: valid, from the test range."""


def fresh_nhs_number() -> str:
    """A valid NHS number from the 999 test range, new for each call."""
    while True:
        first_nine = f"999{random.randint(0, 999_999):06d}"
        digit = check_digit(first_nine)
        if digit is not None:
            return f"{first_nine}{digit}"


def mrs_a(**changes: Any) -> dict[str, Any]:
    """Mrs A as a referral names her (Alice Archer, 4 Mill Lane), with `changes` applied."""
    return {
        "nhs_number": MRS_A_NHS_NUMBER,
        "given_name": "Alice",
        "family_name": "Archer",
        "date_of_birth": "1938-04-02",
        "address": "4 Mill Lane, Northgate",
        "postcode": "LE1 1AA",
        "gp_practice_code": "C82001",
        **changes,
    }


def referral_submission(**changes: Any) -> dict[str, Any]:
    """What a hub call handler submits for Mrs A (the referral API's body), with `changes` applied."""
    return {
        "referrer": {"role": "gp", "organisation": "Northgate Surgery", "callback_number": "0116 496 0001"},
        "patient": mrs_a(),
        "route": "step-up",
        "reason": "Increasingly unsteady at home; struggling with medication.",
        "presenting_needs": ["reduced-function", "medication"],
        "consent_to_share": True,
        **changes,
    }


def referral_received(**changes: Any) -> dict[str, Any]:
    """A valid `referral.received` payload for Mrs A, new ids each call, with `changes` applied."""
    return {
        "episode_id": str(uuid4()),
        "referral_id": str(uuid4()),
        "received_at": datetime.now(UTC).isoformat(),
        **referral_submission(),
        **changes,
    }


def unwell_observations(**changes: Any) -> dict[str, Any]:
    """Observations a nurse takes from someone unwell at home: NEWS2 6, medium (respiration 22 → 2,
    SpO2 94 → 1, pulse 112 → 2, temperature 38.5 → 1), with `changes` applied."""
    return {
        "respiration_rate": 22,
        "spo2_percent": 94,
        "on_supplemental_oxygen": False,
        "systolic_bp": 128,
        "pulse": 112,
        "consciousness": "A",
        "temperature_celsius": 38.5,
        **changes,
    }

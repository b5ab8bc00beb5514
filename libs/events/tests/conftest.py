from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest


@pytest.fixture
def referral_data() -> dict[str, Any]:
    """A valid `referral.received` payload (synthetic patient, test-range NHS number)."""
    return {
        "episode_id": str(uuid4()),
        "referral_id": str(uuid4()),
        "received_at": datetime.now(UTC).isoformat(),
        "route": "step-up",
        "referrer": {"role": "gp", "organisation": "Test Surgery", "callback_number": "0116 496 0000"},
        "patient": {
            "nhs_number": "9990000018",
            "given_name": "Alice",
            "family_name": "Archer",
            "date_of_birth": "1938-04-02",
            "address": "4 Mill Lane",
            "postcode": "LE1 1AA",
            "gp_practice_code": "C82001",
        },
        "reason": "Unsteady at home",
        "presenting_needs": ["fall"],
        "consent_to_share": True,
    }

from __future__ import annotations

from typing import Any

import pytest

from carerelay_testing.factories import referral_received


@pytest.fixture
def referral_data() -> dict[str, Any]:
    """A valid `referral.received` payload (synthetic patient, test-range NHS number)."""
    return referral_received()

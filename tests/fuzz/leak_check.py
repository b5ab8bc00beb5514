"""A schemathesis check (loaded with SCHEMATHESIS_HOOKS): no response may contain the identifiers
of a person the signed-in caller has no relationship with (CARERELAY_FUZZ_FORBIDDEN, comma-separated)."""

from __future__ import annotations

import os
from typing import Any

import schemathesis

FORBIDDEN = [text for text in os.environ.get("CARERELAY_FUZZ_FORBIDDEN", "").split(",") if text]


@schemathesis.check
def no_other_patients_data(ctx: Any, response: Any, case: Any) -> None:
    body = response.text or ""
    for identifier in FORBIDDEN:
        if identifier in body:
            raise AssertionError(
                f"response leaks the identifier of a person outside the caller's relationship ({len(identifier)} chars)"
            )

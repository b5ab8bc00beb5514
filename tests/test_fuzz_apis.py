"""Property-based fuzzing (schemathesis) of every service's OpenAPI, signed in: no 5xx anywhere, and
no response that leaks a person outside the caller's relationship."""

from __future__ import annotations

import asyncio
import copy
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from carerelay_testing.factories import mrs_a, referral_submission

from .support.system import HUB_HANDLER, RunningSystem

ST = Path(sys.executable).parent / "st"
REPO = Path(__file__).resolve().parents[1]
GP_C82001 = "hana.patel"
OUTSIDER = {"nhs_number": "9990000050", "family_name": "Outsider", "address": "3 Far Road", "postcode": "LE6 4ZZ"}


async def _schemathesis(system: RunningSystem, service: str, user: str, forbidden: list[str], examples: int) -> tuple[int, str]:
    token = await system.token(user)
    report = system_report_dir(system) / f"{service}-{user}"
    process = await asyncio.create_subprocess_exec(
        str(ST),
        "run",
        f"{system.url(service)}/api/{service}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "not_a_server_error,no_other_patients_data",
        "--max-examples",
        str(examples),
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "1",
        "--seed",
        "20261123",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(report),
        "--generation-database",
        "none",
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.fuzz.leak_check",
            "CARERELAY_FUZZ_FORBIDDEN": ",".join(forbidden),
            "PYTHONPATH": str(REPO),
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode(errors="replace")


def system_report_dir(system: RunningSystem) -> Path:
    from .support.system import LOG_DIR

    return LOG_DIR / system.run_id / "schemathesis"


@pytest.fixture(scope="module")
async def outsider(system: RunningSystem, referral_body_for_fuzz: dict[str, Any]) -> dict[str, Any]:
    """A person registered with another practice, in another team: GP C82001 must never see them."""
    body = copy.deepcopy(referral_body_for_fuzz)
    body["patient"].update(OUTSIDER, gp_practice_code="C82009")
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", json=body)
    assert response.status_code == 201
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture(scope="module")
def referral_body_for_fuzz() -> dict[str, Any]:
    return referral_submission(
        referrer={"role": "gp", "organisation": "Far Surgery", "callback_number": "0116 496 0009"},
        patient=mrs_a(given_name="Olive", date_of_birth="1939-02-03", gp_practice_code="C82009", **OUTSIDER),
        reason="Confused since yesterday",
        presenting_needs=["confusion-delirium"],
    )


@pytest.mark.parametrize("service", ["referral", "scheduling", "notifications"])
@pytest.mark.parametrize("user", [GP_C82001, HUB_HANDLER])
async def test_fuzzing_finds_no_server_error_and_no_leak(
    system: RunningSystem, outsider: dict[str, Any], service: str, user: str
) -> None:
    # The hub may see everyone, so for the hub the leak check watches only for the referral id of no one.
    forbidden = (
        [OUTSIDER["nhs_number"], OUTSIDER["family_name"], OUTSIDER["address"], outsider["referral_id"]]
        if user == GP_C82001
        else []
    )
    status, output = await _schemathesis(system, service, user, forbidden, examples=15)
    assert status == 0, output[-4000:]
    assert "No issues found" in output or "passed" in output, output[-2000:]

"""Every API requires sign-in: missing, expired, wrongly signed, wrong-audience and wrong-issuer
tokens are refused with 401 by every service."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import httpx
import pytest

from .support.auth import an_hour_ago, claims_like, forge, issuer_private_key, kid_of, stranger_key
from .support.system import HUB_HANDLER, RunningSystem

ENDPOINTS = [
    ("referral", "/api/referral/referrals"),
    ("scheduling", "/api/scheduling/visits"),
    ("scheduling", "/api/scheduling/staff"),
    ("notifications", "/api/notifications/messages"),
    ("referral", "/api/referral/audit"),
]

BadToken = Callable[[RunningSystem], Awaitable[str | None]]


async def _missing(system: RunningSystem) -> str | None:
    return None


async def _expired(system: RunningSystem) -> str | None:
    real = await system.token(HUB_HANDLER)
    claims = claims_like(real, exp=an_hour_ago(), iat=an_hour_ago() - 60, nbf=an_hour_ago() - 60)
    return forge(claims, issuer_private_key(system.issuer_key_dir), kid_of(real))


async def _wrongly_signed(system: RunningSystem) -> str | None:
    real = await system.token(HUB_HANDLER)
    return forge(claims_like(real), stranger_key(), kid_of(real))


async def _wrong_audience(system: RunningSystem) -> str | None:
    real = await system.token(HUB_HANDLER)
    return forge(claims_like(real, aud="someone-elses-api"), issuer_private_key(system.issuer_key_dir), kid_of(real))


async def _wrong_issuer(system: RunningSystem) -> str | None:
    real = await system.token(HUB_HANDLER)
    return forge(claims_like(real, iss="https://issuer.example"), issuer_private_key(system.issuer_key_dir), kid_of(real))


async def _unknown_key(system: RunningSystem) -> str | None:
    real = await system.token(HUB_HANDLER)
    return forge(claims_like(real, iat=int(time.time())), stranger_key(), "no-such-key")


async def _garbage(system: RunningSystem) -> str | None:
    return "not.a.jwt"


BAD_TOKENS: dict[str, BadToken] = {
    "missing": _missing,
    "expired": _expired,
    "wrongly signed": _wrongly_signed,
    "wrong audience": _wrong_audience,
    "wrong issuer": _wrong_issuer,
    "unknown key": _unknown_key,
    "garbage": _garbage,
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
@pytest.mark.parametrize(("service", "path"), ENDPOINTS)
async def test_bad_tokens_are_refused_with_401(system: RunningSystem, kind: str, service: str, path: str) -> None:
    token = await BAD_TOKENS[kind](system)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=system.url(service), headers=headers) as client:
        response = await client.get(path)
    assert response.status_code == 401, f"{kind}: {response.status_code}"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("service", "path"), ENDPOINTS)
async def test_a_good_token_is_accepted(system: RunningSystem, service: str, path: str) -> None:
    user = "ian.whitlock" if path.endswith("/audit") else HUB_HANDLER
    async with await system.client(service, user) as client:
        response = await client.get(path)
    assert response.status_code == 200, response.text


async def test_health_and_metrics_need_no_sign_in_and_hold_no_patient_data(system: RunningSystem) -> None:
    async with httpx.AsyncClient(base_url=system.url("referral")) as client:
        assert (await client.get("/health")).status_code == 200
        metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert "9990000018" not in metrics.text

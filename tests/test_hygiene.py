"""Web and data hygiene: no patient identifiers in logs or spans, request size limits, CORS only for
the system's own origin, security headers, and free text stored and returned as data, never markup."""

from __future__ import annotations

from typing import Any

import httpx

from .support.system import HUB_HANDLER, LOG_DIR, RunningSystem
from .support.waiting import eventually

IDENTIFIERS = ("9990000042", "Hygienique", "Quiet Lane", "LE2 7QQ")


async def test_no_patient_identifiers_in_logs_or_spans(system: RunningSystem, referral_body: dict[str, Any]) -> None:
    body = {
        **referral_body,
        "patient": {
            **referral_body["patient"],
            "nhs_number": "9990000042",
            "family_name": "Hygienique",
            "address": "7 Quiet Lane",
            "postcode": "LE2 7QQ",
        },
    }
    async with await system.client("referral", HUB_HANDLER) as client:
        created = (await client.post("/api/referral/referrals", json=body)).json()
        bad = await client.post(
            "/api/referral/referrals", json={**body, "patient": {**body["patient"], "nhs_number": "9990000043"}}
        )
    assert bad.status_code == 422
    await system.accept(created["referral_id"])
    await eventually(
        lambda: system.query("notifications", "SELECT 1 FROM messages WHERE episode_id = $1::uuid", created["episode_id"]),
        what="the referral to reach notifications",
    )
    await eventually(lambda: _spans_of_episode(system, created["episode_id"]), within=30, what="spans to be exported")
    logs = "\n".join(path.read_text(errors="replace") for path in (LOG_DIR / system.run_id).glob("*.log"))
    assert logs, "the services wrote logs"
    spans = " ".join(" ".join([span.name, *span.attributes.values()]) for span in system.collector.snapshot())
    for identifier in (*IDENTIFIERS, "9990000043"):
        assert identifier not in logs, f"{identifier} found in a log"
        assert identifier not in spans, f"{identifier} found in a span"


async def _spans_of_episode(system: RunningSystem, episode_id: str) -> bool:
    return any(span.attributes.get("messaging.kafka.message.key") == episode_id for span in system.collector.snapshot())


async def test_an_oversized_request_is_refused_before_it_is_read(system: RunningSystem) -> None:
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post(
            "/api/referral/referrals", content=b"{" + b" " * (300 * 1024) + b"}", headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413


async def test_cors_allows_only_the_systems_own_origin(system: RunningSystem) -> None:
    async with httpx.AsyncClient(base_url=system.url("referral")) as client:
        own = await client.options(
            "/api/referral/referrals",
            headers={"Origin": system.web_origin, "Access-Control-Request-Method": "POST"},
        )
        other = await client.options(
            "/api/referral/referrals",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
    assert own.headers.get("access-control-allow-origin") == system.web_origin
    assert "access-control-allow-origin" not in other.headers


async def test_responses_carry_security_headers(system: RunningSystem) -> None:
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.get("/api/referral/referrals")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


async def test_markup_in_free_text_is_refused_with_the_field_named(system: RunningSystem, referral_body: dict[str, Any]) -> None:
    script = '<script>alert("x")</script>'
    async with await system.client("referral", HUB_HANDLER) as client:
        refused = await client.post("/api/referral/referrals", json={**referral_body, "access_notes": f"Key safe 1234 {script}"})
        kept = await client.post("/api/referral/referrals", json={**referral_body, "access_notes": "Key safe: code 1 < 2 > 0"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "access_notes", "reason": "must not contain markup such as <script>"}]
    assert kept.status_code == 201, "a plain '<' in text is fine"

"""The audit trail is append-only and tamper-evident: an edited entry breaks the chain, and the
auditor's check says where."""

from __future__ import annotations

import asyncpg
import pytest

from .support.system import HUB_HANDLER, RunningSystem

AUDITOR = "ian.whitlock"


async def _verify(system: RunningSystem, service: str) -> dict[str, object]:
    async with await system.client(service, AUDITOR) as client:
        response = await client.get(f"/api/{service}/audit/verify")
    assert response.status_code == 200
    result: dict[str, object] = response.json()
    return result


async def test_the_service_itself_cannot_edit_or_delete_its_audit_trail(system: RunningSystem) -> None:
    async with await system.client("referral", HUB_HANDLER) as client:
        assert (await client.get("/api/referral/referrals")).status_code == 200
    conn = await asyncpg.connect(system.database_url("referral"))  # the service's own role
    try:
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = (SELECT max(seq) FROM audit_log)")
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("DELETE FROM audit_log")
    finally:
        await conn.close()


async def test_an_edited_entry_is_detected(system: RunningSystem) -> None:
    async with await system.client("scheduling", HUB_HANDLER) as client:
        for _ in range(3):
            assert (await client.get("/api/scheduling/visits")).status_code == 200
    before = await _verify(system, "scheduling")
    assert before["intact"] is True
    assert isinstance(before["entries"], int)
    assert before["entries"] >= 3

    # Someone with the database owner's powers edits history behind the service's back.
    conn = await asyncpg.connect(system.stack.admin_url(system.database_name("scheduling")))
    try:
        seq = await conn.fetchval("SELECT min(seq) + 1 FROM audit_log")
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        await conn.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = $1", seq)
        await conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update")
    finally:
        await conn.close()

    after = await _verify(system, "scheduling")
    assert after["intact"] is False
    assert after["first_broken_seq"] == seq
    assert after["problem"] == "this entry was changed after it was written"

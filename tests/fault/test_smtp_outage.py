"""Issue 14's scenario 10: the SMTP server down for two hours of simulated time, and nothing lost.

Notifications' delivery worker runs on a simulated clock (`CARERELAY_CLOCK_FILE`, carerelay_service.clock)
at `RATE` times real time, so two hours pass in two minutes; everything else runs on the real clock.
Each bank nurse wants assignment changes by email too, and the hub has an email address for its alerts.
While referrals stream through the whole system (tests/fault/stream.py), once half are posted the SMTP
server goes away (connections refused) for `OUTAGE` of the worker's time, then comes back on the same
port. Every email must then be sent, exactly once (one email per Message-ID; the hub's alerts go in
digests), none failed for good, each retried through the outage with backoff capped at 15 minutes, and
the rest of the stream's counts as without the outage."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.message import Message as EmailMessage
from pathlib import Path
from typing import Any

import orjson
import pytest

from carerelay_infra.kafka_cluster import KafkaCluster
from carerelay_service.clock import SimulatedClock, set_simulated

from ..support.mail import Mailbox, SmtpServer
from ..support.system import RunningSystem
from .stream import bank_nurse_ids, fault_system, run_stream

N = int(os.environ.get("CARERELAY_FAULT_REFERRALS", "1000"))
RATE = 60.0
"""Simulated seconds per real second for the delivery worker."""
OUTAGE = timedelta(hours=2)
HUB_EMAIL = "hub@county-health.example"

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


async def test_smtp_down_for_two_hours_of_simulated_time_loses_and_repeats_no_email(
    cluster: KafkaCluster, tmp_path: Path
) -> None:
    clock_file = tmp_path / "clock.json"
    set_simulated(clock_file, datetime.now(UTC), rate=RATE)
    worker_time = SimulatedClock(clock_file)
    mailbox = Mailbox()
    smtp = SmtpServer(mailbox)
    smtp.start()
    nurses = bank_nurse_ids(N)
    env = {
        "notifications": {
            "CARERELAY_CLOCK_FILE": str(clock_file),
            "CARERELAY_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
            "CARERELAY_NOTIFICATIONS_SMTP_PORT": str(smtp.port),
            "CARERELAY_NOTIFICATIONS_HUB_EMAIL": HUB_EMAIL,
            "CARERELAY_NOTIFICATIONS_STAFF_EMAILS": orjson.dumps(
                {str(staff_id): f"nurse-{str(staff_id)[:8]}@bank.example" for staff_id in nurses}
            ).decode(),
        }
    }
    outage: dict[str, float] = {}

    async def smtp_down_for_two_hours(system: RunningSystem) -> str:
        smtp.stop()
        down_at = worker_time()
        began = time.monotonic()
        await asyncio.sleep((OUTAGE / RATE).total_seconds() + 0.5)  # the worker's clock runs RATE times as fast
        assert worker_time() - down_at >= OUTAGE
        outage["real_seconds"] = time.monotonic() - began
        smtp.start()  # the same port
        return f"SMTP refused connections for {OUTAGE} of the worker's time ({outage['real_seconds']:.0f} s real)"

    try:
        async with fault_system(cluster, N, env=env, nurses=nurses) as system:
            report = await run_stream(
                system, N, smtp_down_for_two_hours, "10: SMTP down for two hours (simulated)", also=_no_email_waiting
            )
            print(report)
            emails = await _emails(system)
    finally:
        smtp.stop()
    report.assert_nothing_lost_duplicated_or_stuck(N)
    print(
        f"  emails {len(emails)} ({Counter(row['audience'] for row in emails)}), received {len(mailbox.received)}, "
        f"retried {sum(row['attempts'] > 1 for row in emails)}, most tries {max(row['attempts'] for row in emails)}"
    )

    by_status = Counter(row["status"] for row in emails)
    assert set(by_status) == {"delivered"}, f"every email delivered, none failed or waiting: {dict(by_status)}"
    retried = [row for row in emails if row["attempts"] > 1]
    assert retried, "some emails were caught by the outage and retried through it"
    assert max(row["attempts"] for row in retried) >= 5, "retried through the outage, with backoff capped at 15 minutes"
    received = Counter(mail["Message-ID"] for mail in mailbox.received)
    assert max(received.values()) == 1, "no email sent twice"
    staff = [row for row in emails if row["audience"] == "field-staff"]
    assert len(staff) >= N // 2, f"most assignments also went by email ({len(staff)})"
    ids = {mail_id.strip("<>").split("@", 1)[0] for mail_id in received}
    assert {str(row["notification_id"]) for row in staff} <= ids, "each nurse's email arrived"
    hub_bodies = "\n".join(_text(mail) for mail in mailbox.received if mail["To"] == HUB_EMAIL)
    hub = [row for row in emails if row["audience"] == "hub"]
    assert all(row["body"] in hub_bodies for row in hub), "each hub alert arrived, in a digest if not alone"


def _text(mail: EmailMessage) -> str:
    parts = [part.get_payload(decode=True) for part in mail.walk() if part.get_content_maintype() == "text"]
    return "\n".join(part.decode("utf-8", "replace") for part in parts if isinstance(part, bytes))


async def _no_email_waiting(system: RunningSystem) -> bool:
    rows = await system.query("notifications", "SELECT 1 FROM messages WHERE channel = 'email' AND status = 'pending' LIMIT 1")
    return not rows


async def _emails(system: RunningSystem) -> list[dict[str, Any]]:
    rows = await system.query(
        "notifications", "SELECT notification_id, audience, status, attempts, body FROM messages WHERE channel = 'email'"
    )
    return [dict(row) for row in rows]

"""A burst of accepted referrals, on the real Kafka and PostgreSQL: a hundred referrals triaged and accepted
within seconds, more than the nurses on shift can see in time. Scheduling must batch what arrives together
into a few re-plans (not one each), decide every first visit (assigned, or unassignable with its reason),
and say each thing once: per visit, no state announced twice in a row, one alert per real change to the
hub and the coordinators, one message per assignment to the nurse, and the hub's emails about visits
nobody can take arrive as digests, not one email each. Delivering the whole burst again changes nothing.

Scheduling and notifications run as processes of their own here (own topics, own databases, a small
rota of three nurses, an SMTP server for the hub's email), so the counts are this test's alone."""

from __future__ import annotations

import asyncio
import itertools
import random
import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import orjson
import pytest

from carerelay_contract.model import Event
from carerelay_contract.referral import ReferralAccepted, ReferralReceived
from carerelay_contract.topics import Topic, topic_name
from carerelay_contract.triage import TriageCompleted
from carerelay_contract.vocabulary import LeadDiscipline, ReferralRoute, ResponseTier
from carerelay_events.admin import ensure_topics
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import KafkaTransport
from carerelay_stack.processes import ServiceProcess
from carerelay_testing.broker import publish_many
from carerelay_testing.factories import fresh_nhs_number, mrs_a, referral_received

from .support.kafka import Message, read_all
from .support.mail import Mailbox, SmtpServer
from .support.system import RunningSystem
from .support.waiting import eventually

BURST = 100
NURSES = 3
HUB_EMAIL = "hub@burst.test"
DIGEST_SECONDS = 3
SCHEDULING, NOTIFICATIONS = "scheduling_burst", "notifications_burst"
NORTH_BASE = (52.6369, -1.1398)
VISIT_TYPES = ("assigned", "rescheduled", "unassignable")


@dataclass
class County:
    system: RunningSystem
    kafka: KafkaSettings
    mailbox: Mailbox
    processes: list[ServiceProcess]

    async def rows(self, database: str, sql: str, *args: object) -> list[Any]:
        return await self.system.query(database, sql, *args)


@pytest.fixture(scope="module")
async def county(system: RunningSystem) -> AsyncIterator[County]:
    kafka = KafkaSettings(topic_prefix=f"b{system.run_id}.")
    await ensure_topics(kafka)
    mailbox = Mailbox()
    smtp = SmtpServer(mailbox)
    smtp.start()
    scheduling = system.service_process(
        "scheduling",
        await system.add_database(SCHEDULING),
        label="scheduling-burst",
        CARERELAY_KAFKA_TOPIC_PREFIX=kafka.topic_prefix,
        CARERELAY_SCHEDULING_REPLAN_SECONDS="1",
        CARERELAY_SCHEDULING_TICK_SECONDS="3600",  # only the burst re-plans
    )
    notifications = system.service_process(
        "notifications",
        await system.add_database(NOTIFICATIONS),
        label="notifications-burst",
        CARERELAY_KAFKA_TOPIC_PREFIX=kafka.topic_prefix,
        CARERELAY_NOTIFICATIONS_SMTP_HOST="127.0.0.1",
        CARERELAY_NOTIFICATIONS_SMTP_PORT=str(smtp.port),
        CARERELAY_NOTIFICATIONS_HUB_EMAIL=HUB_EMAIL,
        CARERELAY_NOTIFICATIONS_HUB_DIGEST_SECONDS=str(DIGEST_SECONDS),
        CARERELAY_NOTIFICATIONS_QUIET_HOURS_START="00:00",
        CARERELAY_NOTIFICATIONS_QUIET_HOURS_END="00:00",
        CARERELAY_NOTIFICATIONS_DELIVERY_POLL_SECONDS="0.2",
    )
    processes = [scheduling, notifications]
    for process in processes:
        process.start()
    try:
        for process in processes:
            process.wait_healthy()
        await _nurses_on_shift(system)
        yield County(system, kafka, mailbox, processes)
    finally:
        for process in processes:
            process.stop()
        smtp.stop()


async def _nurses_on_shift(system: RunningSystem) -> None:
    """Three nurses of the north team, on shift from an hour ago for the next day and more."""
    base_id, now = uuid4(), datetime.now(UTC)
    await system.query(
        SCHEDULING,
        "INSERT INTO bases (base_id, name, latitude, longitude, team) VALUES ($1, 'North', $2, $3, 'north')",
        base_id,
        *NORTH_BASE,
    )
    for n in range(NURSES):
        staff_id = uuid4()
        await system.query(
            SCHEDULING,
            """
            INSERT INTO staff (staff_id, display_name, discipline, employer, base_id, skills, team, working_pattern)
            VALUES ($1, $2, 'nurse', 'community-health-trust', $3, '{}', 'north', 'day')
            """,
            staff_id,
            f"Nurse Burst {n + 1}",
            base_id,
        )
        await system.query(
            SCHEDULING,
            "INSERT INTO shifts (staff_id, starts_at, ends_at, break_minutes) VALUES ($1, $2, $3, 0)",
            staff_id,
            now - timedelta(hours=1),
            now + timedelta(hours=30),
        )


def _a_burst(size: int, seed: int = 13) -> tuple[list[Event], list[Event]]:
    """`size` people referred to the north team (homes a few km around the base), and their triage
    (a rapid, nurse-led response within three hours) and acceptance by the hub, interleaved."""
    rng, now = random.Random(seed), datetime.now(UTC)
    received: list[Event] = []
    decided: list[Event] = []
    for _ in range(size):
        home = (NORTH_BASE[0] + rng.uniform(-0.04, 0.04), NORTH_BASE[1] + rng.uniform(-0.06, 0.06))
        patient = mrs_a(nhs_number=fresh_nhs_number(), latitude=home[0], longitude=home[1])
        referral = ReferralReceived.model_validate(referral_received(patient=patient, team="north"))
        received.append(referral)
        decided.append(
            TriageCompleted(
                episode_id=referral.episode_id,
                referral_id=referral.referral_id,
                decided_at=now,
                tier=ResponseTier.RAPID,
                lead_discipline=LeadDiscipline.NURSE,
                route=ReferralRoute.STEP_UP,
                first_contact_deadline=now + timedelta(hours=3),
                rules_version="test",
                rules_fired=["rapid-response"],
            )
        )
        decided.append(
            ReferralAccepted(
                episode_id=referral.episode_id, referral_id=referral.referral_id, accepted_at=now, accepted_by="Hub"
            )
        )
    return received, decided


def _announcements(messages: list[Message], episodes: set[bytes]) -> dict[str, list[tuple[str, str]]]:
    """Per visit, in order: what scheduling announced of it (assigned / rescheduled / unassignable) and the
    state announced (who and when, or why not)."""
    said: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for message in messages:
        kind = message.ce_type.removeprefix("uk.nhs.carerelay.visit.").removesuffix(".v1")
        if message.key not in episodes or kind not in VISIT_TYPES:
            continue
        data = orjson.loads(message.value or b"{}")
        state = data["reason"] if kind == "unassignable" else f"{data['staff_id']} at {data['planned_start']}"
        said[data["visit_id"]].append((kind, state))
    return said


async def test_a_burst_of_accepted_referrals_is_planned_in_a_few_re_plans_and_each_change_said_once(county: County) -> None:
    received, decided = _a_burst(BURST)
    episodes = {str(event.episode_id) for event in received}
    keys = {episode.encode() for episode in episodes}
    transport = KafkaTransport(county.kafka)
    await publish_many(transport, received, source="/carerelay/referral")
    ids = await publish_many(transport, decided, source="/carerelay/triage")

    # Every first visit is decided: assigned, or noted unassignable with its reason; no re-plan still waiting.
    async def decided_visits() -> list[Any]:
        rows = await county.rows(
            SCHEDULING,
            """
            SELECT v.visit_id, v.status, u.reason FROM visits v LEFT JOIN unassigned_visits u USING (visit_id)
            WHERE v.episode_id = ANY($1::uuid[]) AND (v.status = 'assigned' OR u.reason IS NOT NULL)
            """,
            list(episodes),
        )
        waiting = await county.rows(SCHEDULING, "SELECT 1 FROM replan_requests")
        return rows if len(rows) == BURST and not waiting else []

    visits = await eventually(decided_visits, within=180, what="every first visit of the burst to be decided")
    assigned = [v for v in visits if v["status"] == "assigned"]
    unassignable = [v for v in visits if v["status"] != "assigned"]
    assert assigned, "three nurses take some of a hundred visits within three hours"
    assert unassignable, "three nurses cannot take all of a hundred visits within three hours"

    # Batched: a hundred acceptances cost a few re-plans, not a hundred.
    runs = await county.rows(SCHEDULING, "SELECT trigger FROM plan_runs")
    assert 1 <= len(runs) <= BURST // 5, f"{len(runs)} re-plans for {BURST} acceptances"
    assert any(re.match(r"\d+ requests: first-response visit planned", run["trigger"]) for run in runs)

    # Said once: per visit, no state announced twice in a row; each visit decided is announced as it stands.
    said = _announcements(await read_all(county.kafka, topic_name(Topic.VISIT, county.kafka.topic_prefix)), keys)
    for visit_id, announced in said.items():
        repeats = [(a, b) for a, b in itertools.pairwise(announced) if a == b]
        assert not repeats, f"visit {visit_id} had the same state announced twice in a row: {announced}"
    for visit in unassignable:
        assert said[str(visit["visit_id"])][-1] == ("unassignable", visit["reason"])
    for visit in assigned:
        assert said[str(visit["visit_id"])][-1][0] in ("assigned", "rescheduled")
    counts = Counter(kind for announced in said.values() for kind, _ in announced)

    # The hub and the team's coordinators: one in-app alert per visit.unassignable announced, no more.
    async def alerts() -> list[Any]:
        rows = await county.rows(
            NOTIFICATIONS,
            """
            SELECT audience, channel, status, episode_id FROM messages
            WHERE template = 'visit-unassignable' AND episode_id = ANY($1::uuid[])
            """,
            list(episodes),
        )
        hub = [r for r in rows if r["audience"] == "hub" and r["channel"] == "in-app"]
        return rows if len(hub) == counts["unassignable"] else []

    rows = await eventually(alerts, within=60, what="notifications to take in every alert")
    by_kind = Counter((r["audience"], r["channel"]) for r in rows)
    assert by_kind == {
        ("hub", "in-app"): counts["unassignable"],
        ("coordinator", "in-app"): counts["unassignable"],
        ("hub", "email"): counts["unassignable"],
    }
    # The nurse: one message per assignment or move announced to them.
    staff_messages = await county.rows(
        NOTIFICATIONS, "SELECT 1 FROM messages WHERE audience = 'field-staff' AND episode_id = ANY($1::uuid[])", list(episodes)
    )
    assert len(staff_messages) == counts["assigned"] + counts["rescheduled"]

    # The hub's email: digests, each counting the visits it lists, together counting every alert.
    async def emailed() -> list[Any]:
        pending = await county.rows(
            NOTIFICATIONS, "SELECT 1 FROM messages WHERE channel = 'email' AND audience = 'hub' AND status = 'pending'"
        )
        return [] if pending else county.mailbox.to(HUB_EMAIL)

    emails = await eventually(emailed, within=60, what="the hub's digest emails to be sent")
    listed = [int(re.match(r"CareRelay: (\d+) visits? could not be assigned", str(mail["Subject"])).group(1)) for mail in emails]  # type: ignore[union-attr]
    assert sum(listed) == counts["unassignable"]
    print(f"burst: {len(runs)} re-plans, announced {dict(counts)}, {len(emails)} hub emails listing {listed}")
    assert len(emails) <= len(runs), f"{len(emails)} emails for {listed}"
    assert len(emails) < counts["unassignable"], f"{len(emails)} emails for {listed}"

    # The whole burst delivered again (the same events, the same ids): nothing new is planned, said or sent.
    before = (len(said), sum(len(a) for a in said.values()), len(county.mailbox.received))
    await publish_many(transport, decided, source="/carerelay/triage", event_ids=ids)
    await asyncio.sleep(5.0)  # a second plan or announcement, if one were coming, would be published by now
    again = _announcements(await read_all(county.kafka, topic_name(Topic.VISIT, county.kafka.topic_prefix)), keys)
    assert (len(again), sum(len(a) for a in again.values()), len(county.mailbox.received)) == before
    planned = await county.rows(SCHEDULING, "SELECT count(*) AS n FROM visits WHERE episode_id = ANY($1::uuid[])", list(episodes))
    assert planned[0]["n"] == BURST

"""The fault suite's driver: the whole system on the three-broker cluster, a stream of referrals
through the hub's API with a fault injected mid-stream, and then a count of what came out.

`FaultSystem` is the four services, the issuer and the web origin (tests/support/system.py's
`RunningSystem`) pointed at the cluster's bootstrap servers, with a topic prefix and databases of its
own, the demo rota and enough bank nurses on explicit shifts that most first visits are assigned.

`run_stream` posts N referrals through the web origin as the hub's call handler would (the real
`POST /api/referral/referrals`, a few in flight at once, each with its own `Idempotency-Key` so a
retry after a 503 or a lost answer records nothing twice), accepts each once triage has decided it
(as the hub's clinician), calls `fault` once half have been posted (awaiting it beside the stream), waits
until everything has settled, and counts (`count`): from the topics and the databases, never from
what the services say about themselves. The `StreamReport` it returns is what the scenarios assert
on; `print(report)` shows it with `pytest -s`."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import orjson
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from carerelay_contract.topics import TOPICS, Topic
from carerelay_events.dead_letters import REPLAYED as REPLAY_MARKER
from carerelay_events.failures import is_transient
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import connection_options
from carerelay_infra.kafka_cluster import KafkaCluster
from carerelay_stack.rota import load_rota
from carerelay_stack.settings import SERVICES
from carerelay_testing.factories import referral_submission

from ..support.kafka import Message, read_all
from ..support.otlp import OtlpCollector
from ..support.staff import a_bank_nurse
from ..support.system import HUB_CLINICIAN, HUB_HANDLER, RunningSystem, StackSettings

IN_FLIGHT = 8
"""Posts (and accepts) in flight at once: the hub's handlers are many, the machine has two cores."""
RETRY_FOR_S = 120.0
"""A post or accept still failing (503, a refused or lost connection) after this fails the stream."""
SETTLE_WITHIN_S = 180.0
"""After the last post, everything decided, every outbox published and every consumer group's lag
back to zero within this: the recovery bound the scenarios state."""
NURSES_PER_REFERRAL = 0.35
"""Bank nurses called in per referral streamed: a nurse takes two or three first responses within their
deadlines, so about a third of a nurse each lets most be assigned (40 nurses for 1,000 assigned only 86)."""
DECIDED = ("visit.assigned", "visit.unassignable")
VISIT_STATES = ("visit.assigned", "visit.rescheduled", "visit.unassignable")


@dataclass
class StreamReport:
    """What went in and what came out, counted."""

    scenario: str
    posted: int = 0
    post_retries: int = 0
    accepted: int = 0
    accept_retries: int = 0
    seconds_to_post: float = 0.0
    settled_in: float | None = None
    """Seconds from the last accept and the fault's end (whichever is later) until everything settled (every
    first visit decided, no re-plan waiting, every outbox row published, every lag zero); None if not within
    `SETTLE_WITHIN_S`."""
    fault: str = ""
    triaged_rows: Counter[int] = field(default_factory=Counter)
    """How many referrals have 0, 1, 2... rows in triage's `triage_decisions`."""
    triaged_events: Counter[int] = field(default_factory=Counter)
    """How many referrals have 0, 1, 2... distinct `triage.completed` events (by id) on the topic."""
    accepted_events: Counter[int] = field(default_factory=Counter)
    first_visits: Counter[int] = field(default_factory=Counter)
    """How many accepted referrals have 0, 1, 2... first-response visits in scheduling."""
    first_decided: Counter[str] = field(default_factory=Counter)
    """Accepted referrals' first visits by what scheduling decided: assigned, unassignable, undecided."""
    first_announced: Counter[int] = field(default_factory=Counter)
    """How many first visits had 0, 1, 2... distinct first decisions (assigned/unassignable) announced."""
    repeated_states: int = 0
    """Visits whose same state (who and when, or why not) was announced twice in a row."""
    last_state_mismatch: int = 0
    """First visits whose last announcement disagrees with scheduling's database."""
    redelivered_records: int = 0
    """Records on our topics carrying an id already seen (at least once, absorbed by the inbox)."""
    staff_messages: int = 0
    """In-app messages to field staff (an email copy, where a nurse asked for one, is not counted here)."""
    staff_announcements: int = 0
    messages_repeated: int = 0
    """Messages to the same person, on the same channel, from the same template, with the same words, for the
    same episode: a person told the same thing twice."""
    messages_for_unknown_events: int = 0
    out_of_order: dict[str, int] = field(default_factory=dict)
    """Per topic: keys (episodes) whose records are not in the order their producer's outbox wrote them."""
    dead_letters: int = 0
    """Records on the dead-letter topic (replay markers not counted)."""
    unpublished_outbox: int = 0
    lag: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [
            f"scenario {self.scenario}: {self.fault}",
            f"  posted {self.posted} in {self.seconds_to_post:.1f} s ({self.post_retries} retries), "
            f"accepted {self.accepted} ({self.accept_retries} retries); "
            f"settled {self.settled_in} s after the last accept and the fault",
            f"  triaged: rows per referral {dict(self.triaged_rows)}, triage.completed per referral {dict(self.triaged_events)}",
            f"  referral.accepted per referral {dict(self.accepted_events)}",
            f"  first visits per accepted referral {dict(self.first_visits)}, decided {dict(self.first_decided)}, "
            f"first decisions announced per visit {dict(self.first_announced)}",
            f"  same state announced twice in a row: {self.repeated_states}; "
            f"last announcement != database: {self.last_state_mismatch}",
            f"  messages to field staff {self.staff_messages} for {self.staff_announcements} assignments announced; "
            f"told twice {self.messages_repeated}; "
            f"for events never published {self.messages_for_unknown_events}",
            f"  records redelivered (same id again) {self.redelivered_records}; out of order {self.out_of_order}",
            f"  dead letters {self.dead_letters}; outbox rows unpublished {self.unpublished_outbox}; lag {self.lag}",
        ]
        return "\n".join(lines)

    def assert_nothing_lost_duplicated_or_stuck(self, n: int, dead_letters: int = 0) -> None:
        """Every count as it must be, with `dead_letters` on the dead-letter topic (the poison a scenario sent)."""
        assert self.posted == n, self
        assert self.accepted == n, self
        assert self.settled_in is not None, f"not settled within {SETTLE_WITHIN_S:.0f} s\n{self}"
        assert self.triaged_rows == {1: n}, self
        assert self.triaged_events == {1: n}, self
        assert self.accepted_events == {1: n}, self
        assert self.first_visits == {1: n}, self
        assert self.first_decided["undecided"] == 0, self
        assert self.first_decided["assigned"] > n // 2, f"most first visits should be assigned\n{self}"
        assert self.first_announced == {1: n}, self
        assert (self.repeated_states, self.last_state_mismatch) == (0, 0), self
        assert self.staff_messages == self.staff_announcements, self
        assert (self.messages_repeated, self.messages_for_unknown_events) == (0, 0), self
        assert all(count == 0 for count in self.out_of_order.values()), self
        assert (self.dead_letters, self.unpublished_outbox) == (dead_letters, 0), self
        assert all(lag == 0 for lag in self.lag.values()), self


def bank_nurse_ids(referrals: int) -> list[UUID]:
    """Staff ids for the bank nurses `fault_system` calls in for `referrals` (known before it starts)."""
    return [uuid4() for _ in range(max(5, round(referrals * NURSES_PER_REFERRAL)))]


@asynccontextmanager
async def fault_system(
    cluster: KafkaCluster,
    referrals: int,
    env: dict[str, dict[str, str]] | None = None,
    nurses: list[UUID] | None = None,
    stack: StackSettings | None = None,
) -> AsyncIterator[RunningSystem]:
    """The whole system on the cluster, with its own topics and databases and nurses enough for most of
    `referrals` first visits (`nurses`: their ids, from `bank_nurse_ids`; `env`: more environment for a
    service's processes; `stack`: another PostgreSQL server); stopped and dropped after."""
    run_id = uuid4().hex[:8]
    collector = OtlpCollector()
    collector.start()
    running = RunningSystem(
        run_id=run_id,
        kafka=KafkaSettings(bootstrap_servers=cluster.bootstrap_servers, topic_prefix=f"fs{run_id}."),
        stack=stack or StackSettings(),
        collector=collector,
        env=env or {},
    )
    try:
        await running.start()
        await load_rota(running.databases["scheduling"])
        for staff_id in nurses or bank_nurse_ids(referrals):
            await a_bank_nurse(running, hours=30.0, staff_id=staff_id)
        yield running
    finally:
        await running.stop()
        collector.stop()


Fault = Callable[[RunningSystem], Awaitable[str]]
"""Injects a fault into the running system and returns what it did, in words."""


Settled = Callable[[RunningSystem], Awaitable[bool]]
"""A scenario's own condition for "settled", beside the stream's (e.g. no email waiting to be sent)."""


async def run_stream(system: RunningSystem, n: int, fault: Fault, scenario: str, also: Settled | None = None) -> StreamReport:
    report = StreamReport(scenario=scenario)
    handler = httpx.AsyncClient(base_url=system.web_origin, headers=await system.headers(HUB_HANDLER), timeout=30)
    clinician = httpx.AsyncClient(base_url=system.web_origin, headers=await system.headers(HUB_CLINICIAN), timeout=30)
    referrals: list[str] = []
    accepted: set[str] = set()
    half = asyncio.Event()
    fault_task = asyncio.create_task(_after(half, fault, system))
    began = time.monotonic()
    try:
        posting = asyncio.create_task(_post_all(handler, n, referrals, report, half))
        accepting = asyncio.create_task(_accept_all(system, clinician, n, referrals, accepted, report, posting))
        await posting
        report.seconds_to_post = time.monotonic() - began
        await accepting
        report.fault = await fault_task
        last_accept = time.monotonic()
        report.settled_in = await _settled(system, referrals, within=SETTLE_WITHIN_S, since=last_accept, also=also)
    finally:
        fault_task.cancel()
        await handler.aclose()
        await clinician.aclose()
    await count(system, referrals, report)
    return report


async def _after(half: asyncio.Event, fault: Fault, system: RunningSystem) -> str:
    await half.wait()
    return await fault(system)


async def _send(client: httpx.AsyncClient, path: str, body: dict[str, Any], ok: int) -> tuple[httpx.Response, int]:
    """POST until answered `ok`, with one `Idempotency-Key` for every try; returns the answer and retries."""
    key, retries = str(uuid4()), 0
    deadline = time.monotonic() + RETRY_FOR_S
    while True:
        try:
            response = await client.post(path, json=body, headers={"Idempotency-Key": key})
            if response.status_code == ok:
                return response, retries
            failure = f"{response.status_code} {response.text[:200]}"
            assert response.status_code in (502, 503, 504), f"POST {path}: {failure}"
        except httpx.TransportError as error:
            failure = repr(error)
        assert time.monotonic() < deadline, f"POST {path} still failing after {RETRY_FOR_S:.0f} s: {failure}"
        retries += 1
        await asyncio.sleep(1.0)


async def _post_all(client: httpx.AsyncClient, n: int, referrals: list[str], report: StreamReport, half: asyncio.Event) -> None:
    numbers = iter(range(n))

    async def poster() -> None:
        for number in numbers:
            if number == n // 2:
                half.set()
            response, retries = await _send(client, "/api/referral/referrals", referral_submission(), 201)
            referrals.append(response.json()["referral_id"])
            report.posted += 1
            report.post_retries += retries

    await asyncio.gather(*(poster() for _ in range(IN_FLIGHT)))


async def _accept_all(
    system: RunningSystem,
    client: httpx.AsyncClient,
    n: int,
    referrals: list[str],
    accepted: set[str],
    report: StreamReport,
    posting: asyncio.Task[None],
) -> None:
    """Accept each referral once triage has decided it (its status no longer `received`)."""
    deadline: float | None = None
    while len(accepted) < n:
        if posting.done() and deadline is None:
            deadline = time.monotonic() + SETTLE_WITHIN_S
        assert deadline is None or time.monotonic() < deadline, f"{n - len(accepted)} referrals never triaged"
        try:
            rows = await system.query(
                "referral",
                "SELECT referral_id::text AS id FROM referrals WHERE status <> 'received' AND referral_id = ANY($1::uuid[])",
                [r for r in referrals if r not in accepted],
            )
        except Exception as error:  # the database restarting (scenario 6): ask again
            if not is_transient(error):
                raise
            rows = []
        ready = [row["id"] for row in rows]
        queue = iter(ready)
        await asyncio.gather(*(_accepter(client, queue, accepted, report) for _ in range(IN_FLIGHT)))
        if not ready:
            await asyncio.sleep(0.5)


async def _accepter(client: httpx.AsyncClient, queue: Iterator[str], accepted: set[str], report: StreamReport) -> None:
    for referral_id in queue:
        _, retries = await _send(client, f"/api/referral/referrals/{referral_id}/accept", {}, 200)
        accepted.add(referral_id)
        report.accepted += 1
        report.accept_retries += retries


async def _settled(
    system: RunningSystem, referrals: list[str], within: float, since: float, also: Settled | None = None
) -> float | None:
    """Wait until every first visit is decided, no re-plan waits, every outbox row is published and
    every consumer group has caught up; the seconds since `since`, or None after `within`."""
    deadline = since + within
    while time.monotonic() < deadline:
        try:
            if await _all_settled(system, referrals) and (also is None or await also(system)):
                return round(time.monotonic() - since, 1)
        except Exception as error:  # the database restarting (scenario 6): ask again
            if not is_transient(error):
                raise
        await asyncio.sleep(1.0)
    return None


async def _all_settled(system: RunningSystem, referrals: list[str]) -> bool:
    decided = await system.query(
        "scheduling",
        """
        SELECT count(*) AS n FROM visits v LEFT JOIN unassigned_visits u USING (visit_id)
        WHERE v.purpose = 'first-response' AND v.referral_id = ANY($1::uuid[]) AND (v.status = 'assigned' OR u.reason IS NOT NULL)
        """,
        referrals,
    )
    if decided[0]["n"] < len(referrals) or await system.query("scheduling", "SELECT 1 FROM replan_requests LIMIT 1"):
        return False
    if sum((await _unpublished(system)).values()):
        return False
    return not any((await consumer_lag(system.kafka)).values())


async def _unpublished(system: RunningSystem) -> dict[str, int]:
    found: dict[str, int] = {}
    for service in SERVICES:
        rows = await system.query(service, "SELECT count(*) AS n FROM event_outbox WHERE published_at IS NULL")
        found[service] = rows[0]["n"]
    return found


async def consumer_lag(kafka: KafkaSettings) -> dict[str, int]:
    """Each of the run's consumer groups (named with its topic prefix): records not yet committed."""
    admin = AIOKafkaAdminClient(**connection_options(kafka), client_id="carerelay-fault-lag")
    ends = AIOKafkaConsumer(**connection_options(kafka), group_id=None, enable_auto_commit=False)
    await admin.start()
    await ends.start()
    try:
        groups = [group for group, _ in await admin.list_consumer_groups() if str(group).startswith(kafka.topic_prefix)]
        lag: dict[str, int] = {}
        for group in groups:
            committed = await admin.list_consumer_group_offsets(group)
            if not committed:
                continue
            latest = await ends.end_offsets(list(committed))
            lag[group] = sum(max(0, latest[tp] - meta.offset) for tp, meta in committed.items() if meta.offset >= 0)
        return lag
    finally:
        await ends.stop()
        await admin.close()


async def count(system: RunningSystem, referrals: list[str], report: StreamReport) -> None:
    """Fill `report` from the topics and the databases."""
    wanted = set(referrals)
    topics = {topic: await read_all(system.kafka, system.topic(topic)) for topic in TOPICS}
    report.dead_letters = sum(1 for m in topics[Topic.DEAD_LETTER] if REPLAY_MARKER not in m.headers)
    report.unpublished_outbox = sum((await _unpublished(system)).values())
    report.lag = await consumer_lag(system.kafka)
    seen: set[str] = set()
    for topic, messages in topics.items():
        if topic is Topic.DEAD_LETTER:
            continue  # a dead letter is a copy by design, with the original's id
        for message in messages:
            event_id = message.headers.get("ce_id", "")
            report.redelivered_records += event_id in seen
            seen.add(event_id)

    rows = await system.query(
        "triage",
        "SELECT referral_id::text AS id, count(*) AS n FROM triage_decisions WHERE referral_id = ANY($1::uuid[]) GROUP BY 1",
        referrals,
    )
    per_referral = {row["id"]: row["n"] for row in rows}
    report.triaged_rows = Counter(per_referral.get(r, 0) for r in referrals)
    report.triaged_events = _distinct_per_referral(topics[Topic.TRIAGE], "uk.nhs.carerelay.triage.completed.v1", wanted)
    report.accepted_events = _distinct_per_referral(topics[Topic.REFERRAL], "uk.nhs.carerelay.referral.accepted.v1", wanted)

    visits = await system.query(
        "scheduling",
        """
        SELECT v.referral_id::text AS referral_id, v.visit_id::text AS visit_id, v.status, v.staff_id::text AS staff_id,
               v.planned_start, u.reason
        FROM visits v LEFT JOIN unassigned_visits u USING (visit_id)
        WHERE v.purpose = 'first-response' AND v.referral_id = ANY($1::uuid[])
        """,
        referrals,
    )
    per_referral_visits = Counter(row["referral_id"] for row in visits)
    report.first_visits = Counter(per_referral_visits.get(r, 0) for r in referrals)
    said = _announcements(topics[Topic.VISIT])
    for row in visits:
        announced = said.get(row["visit_id"], [])
        if row["status"] == "assigned":
            report.first_decided["assigned"] += 1
            expected = ("assigned", f"{row['staff_id']} {row['planned_start'].isoformat()}")
        elif row["reason"] is not None:
            report.first_decided["unassignable"] += 1
            expected = ("unassignable", row["reason"])
        else:
            report.first_decided["undecided"] += 1
            expected = ("", "")
        report.first_announced[_first_decisions(announced)] += 1
        states = [(kind if kind != "rescheduled" else "assigned", state) for _, kind, state in announced]
        report.repeated_states += any(a == b for a, b in itertools.pairwise(states))
        report.last_state_mismatch += bool(states) and not _same_state(states[-1], expected)

    episodes = await system.query(
        "referral", "SELECT episode_id::text AS id FROM referrals WHERE referral_id = ANY($1::uuid[])", referrals
    )
    episode_ids = [row["id"] for row in episodes]
    ours = set(episode_ids)
    report.staff_announcements = len(
        {
            message.headers.get("ce_id", "")
            for message in topics[Topic.VISIT]
            if message.ce_type in ("uk.nhs.carerelay.visit.assigned.v1", "uk.nhs.carerelay.visit.rescheduled.v1")
            and (message.key or b"").decode() in ours
        }
    )
    told_rows = await system.query(
        "notifications",
        """
        SELECT audience, channel, recipient_ref, template, body, trigger_event_id, episode_id::text AS episode_id
        FROM messages WHERE episode_id = ANY($1::uuid[])
        """,
        episode_ids,
    )
    report.staff_messages = sum(1 for m in told_rows if m["audience"] == "field-staff" and m["channel"] == "in-app")
    told = Counter(
        (m["episode_id"], m["audience"], m["channel"], m["recipient_ref"], m["template"], m["body"]) for m in told_rows
    )
    report.messages_repeated = sum(n - 1 for n in told.values() if n > 1)
    # The hub's message about a dead letter is triggered by which dead letter it is (not an event id).
    report.messages_for_unknown_events = sum(
        1 for m in told_rows if m["trigger_event_id"] not in seen and m["template"] != "dead-letter"
    )

    report.out_of_order = await _out_of_order(system, topics)


def _distinct_per_referral(messages: list[Message], ce_type: str, wanted: set[str]) -> Counter[int]:
    ids: dict[str, set[str]] = defaultdict(set)
    for message in messages:
        if message.ce_type == ce_type:
            referral_id = orjson.loads(message.value or b"{}").get("referral_id", "")
            ids[referral_id].add(message.headers.get("ce_id", ""))
    return Counter(len(ids.get(r, set())) for r in wanted)


def _announcements(messages: list[Message]) -> dict[str, list[tuple[str, str, str]]]:
    """Per visit, in the topic's order, each distinct event (id, kind, state) scheduling announced of it."""
    said: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    seen: set[str] = set()
    for message in messages:
        kind = message.ce_type.removeprefix("uk.nhs.carerelay.visit.").removesuffix(".v1")
        event_id = message.headers.get("ce_id", "")
        if kind not in ("assigned", "rescheduled", "unassignable") or event_id in seen:
            continue
        seen.add(event_id)
        data = orjson.loads(message.value or b"{}")
        state = data["reason"] if kind == "unassignable" else f"{data['staff_id']} {data['planned_start']}"
        said[data["visit_id"]].append((event_id, kind, state))
    return said


def _first_decisions(announced: list[tuple[str, str, str]]) -> int:
    """How many times the visit was first decided: assigned or unassignable with nothing before it."""
    return 1 if announced and announced[0][1] in ("assigned", "unassignable") else 0


def _same_state(announced: tuple[str, str], expected: tuple[str, str]) -> bool:
    kind, state = announced
    if kind != expected[0]:
        return False
    if kind == "unassignable":
        return state == expected[1]
    staff, _, start = state.partition(" ")
    want_staff, _, want_start = expected[1].partition(" ")
    return staff == want_staff and _instant(start) == _instant(want_start)


def _instant(text: str) -> str:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()


async def _out_of_order(system: RunningSystem, topics: dict[Topic, list[Message]]) -> dict[str, int]:
    """Per topic, the keys whose records (first copies) are not in their producer's outbox `seq` order."""
    written: dict[tuple[str, str], list[str]] = defaultdict(list)
    for service in SERVICES:
        for row in await system.query(service, "SELECT topic, record_key, event_id FROM event_outbox ORDER BY seq"):
            written[(row["topic"], row["record_key"])].append(row["event_id"])
    found: dict[str, int] = {}
    for topic, messages in topics.items():
        name = system.topic(topic)
        read: dict[str, list[str]] = defaultdict(list)
        seen: set[str] = set()
        for message in messages:
            event_id = message.headers.get("ce_id", "")
            if event_id not in seen:
                seen.add(event_id)
                read[(message.key or b"").decode()].append(event_id)
        found[topic.value] = sum(
            1 for (written_topic, key), ids in written.items() if written_topic == name and _as_read(read[key], ids) != ids
        )
    return found


def _as_read(read: list[str], written: list[str]) -> list[str]:
    """The ids of `written` in the order they were read."""
    wanted = set(written)
    return [event_id for event_id in read if event_id in wanted]

"""The handlers on the in-memory broker and on the real Kafka (the same bodies), with a throwaway
PostgreSQL database and the service's own migrations: every followed event on the live feed, the
messages each trigger asks for and the events that say so, in the case's correlation id."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest

from carerelay_access import audit
from carerelay_contract.catalogue import events_on
from carerelay_contract.envelope import Envelope, encode_headers, new_metadata
from carerelay_contract.episode import ConsentWithdrawn
from carerelay_contract.model import Event
from carerelay_contract.notification import NotificationDelivered, NotificationFailed, NotificationRequested
from carerelay_contract.referral import ReferralAccepted, ReferralReceived, ReferralRejected
from carerelay_contract.topics import Topic, topic_name
from carerelay_contract.visit import VisitAssigned, VisitPlanned, VisitRunningLate
from carerelay_contract.vocabulary import ConsentScope, VisitPurpose
from carerelay_events.dead_letters import REPLAYED_FROM, DeadLetters, read_dead_letters, replay
from carerelay_events.runtime import EventRuntime
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.base import InboundRecord, Transport
from carerelay_notifications.delivery.dead_letters import DeadLetterWatch
from carerelay_notifications.delivery.recipients import Unreachable, outgoing
from carerelay_notifications.domain.reach import Reach
from carerelay_notifications.handlers import handlers
from carerelay_notifications.handlers.feed import FEED_TOPICS, on_any_event
from carerelay_notifications.settings import NotificationsSettings
from carerelay_notifications.store import messages
from carerelay_service.app import service_runtime
from carerelay_service.migrations import migrate, service_migrations
from carerelay_testing.broker import eventually, publish, read_events, send
from carerelay_testing.factories import mrs_a, referral_received


@dataclass
class Notifications:
    """The service's event runtime on one transport, and what the tests publish and read there."""

    runtime: EventRuntime[Reach]
    transport: Transport
    settings: NotificationsSettings

    async def publish(self, event: Event, correlation_id: str = "case-mrs-a") -> str:
        """Publish `event` as its producer would and wait until it is handled (events on different
        topics have no order of their own); its id."""
        event_id = await publish(self.transport, event, correlation_id=correlation_id)
        await self.handled(event_id)
        return event_id

    async def query(self, sql: str, *args: Any) -> list[Any]:
        async with self.runtime.pool.acquire() as conn:
            return list(await conn.fetch(sql, *args))

    async def handled(self, event_id: str) -> None:
        for _ in range(600):
            if await self.query("SELECT 1 FROM processed_events WHERE event_id = $1", event_id):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"event {event_id} was not handled")

    async def notifications(self, episode_id: UUID, want: int) -> list[Envelope]:
        """The events on the notification topic about `episode_id`, once `want` of them are there."""
        return await read_events(self.transport, Topic.NOTIFICATION, want, key=str(episode_id))


@pytest.fixture
async def service(transport: Transport, database_url: str) -> AsyncIterator[Notifications]:
    settings = NotificationsSettings(
        database_url=database_url,
        kafka=KafkaSettings(topic_prefix=transport.topic_prefix),
        quiet_hours_start=time(0),
        quiet_hours_end=time(0),
    )
    await migrate(database_url, service_migrations("notifications"), [audit.AUDIT_MIGRATION])
    runtime = service_runtime("notifications", settings, handlers, settings.reach(), transport)
    await runtime.start()
    try:
        yield Notifications(runtime, transport, settings)
    finally:
        await runtime.stop()


def mrs_a_referred(**changes: Any) -> ReferralReceived:
    return ReferralReceived.model_validate(referral_received(**changes))


LANDLINE = {"role": "gp", "organisation": "Northgate Surgery", "callback_number": "0116 496 0001"}


@pytest.mark.parametrize(
    ("submitted_by", "referrer", "audience", "channel", "status"),
    [
        ("county-general-ehr", LANDLINE, "referrer", "webhook", "pending"),
        (None, {**LANDLINE, "email": "northgate.surgery@nhs.net"}, "referrer", "email", "pending"),
        (None, {**LANDLINE, "callback_number": "07700 900123"}, "referrer", "sms", "pending"),
        (None, LANDLINE, "hub", "in-app", "delivered"),
    ],
)
async def test_the_referrer_is_told_of_the_hubs_decision_once_by_their_route(
    service: Notifications, submitted_by: str | None, referrer: dict[str, str], audience: str, channel: str, status: str
) -> None:
    referral = mrs_a_referred(submitted_by=submitted_by, referrer=referrer)
    await service.publish(referral)
    decision = ReferralAccepted(
        episode_id=referral.episode_id, referral_id=referral.referral_id, accepted_at=datetime.now(UTC), accepted_by="Ruth Ellis"
    )
    decided = await service.publish(decision)

    (row,) = await service.query("SELECT * FROM messages WHERE episode_id = $1", referral.episode_id)
    assert (row["audience"], row["channel"], row["template"], row["status"]) == (audience, channel, "referral-accepted", status)
    assert row["trigger_event_id"] == decided
    (requested, *_) = await service.notifications(referral.episode_id, want=1)
    assert isinstance(requested.event, NotificationRequested)
    assert requested.event.notification_id == row["notification_id"]
    assert requested.metadata.correlation_id == "case-mrs-a"
    if audience == "hub":
        assert row["body"].startswith("Call the referrer back on 0116 496 0001 (Northgate Surgery)")
        return
    async with service.runtime.pool.acquire() as conn:
        (stored,) = await messages.for_recipients(conn, [row["recipient_ref"]], 1)
        if channel == "webhook":
            with pytest.raises(Unreachable, match="no endpoint configured"):  # the test settings name none
                await outgoing(conn, stored, service.settings)
            assert orjson.loads(stored.payload or "{}")["status"] == "accepted"
        else:
            ready = await outgoing(conn, stored, service.settings)
            assert ready.to == (referrer.get("email") or referrer["callback_number"])


async def test_a_rejection_tells_the_referrer_why(service: Notifications) -> None:
    referral = mrs_a_referred(referrer={**LANDLINE, "email": "northgate.surgery@nhs.net"})
    await service.publish(referral)
    rejected = ReferralRejected(
        episode_id=referral.episode_id,
        referral_id=referral.referral_id,
        rejected_at=datetime.now(UTC),
        rejected_by="Ruth Ellis",
        reason="Outside the service's area",
    )
    await service.publish(rejected)
    (row,) = await service.query("SELECT template, body FROM messages WHERE episode_id = $1", referral.episode_id)
    assert row["template"] == "referral-rejected"
    assert row["body"].endswith("Outside the service's area.")


async def test_every_followed_event_is_on_the_feed_with_its_ids_and_who_may_see_it(service: Notifications) -> None:
    referral = mrs_a_referred(team="north", submitted_by="county-general-ehr")
    nurse, visit = uuid4(), uuid4()
    received = await service.publish(referral)
    assignment = VisitAssigned(episode_id=referral.episode_id, visit_id=visit, staff_id=nurse, planned_start=datetime.now(UTC))
    assigned = await service.publish(assignment)

    feed = await service.query("SELECT * FROM screen_feed WHERE episode_id = $1 ORDER BY seq", referral.episode_id)
    assert [(row["event_id"], row["type"]) for row in feed] == [(received, "referral.received"), (assigned, "visit.assigned")]
    assert feed[1]["referral_id"] == referral.referral_id, "the episode's referral, for an event that names none"
    assert (feed[1]["visit_id"], feed[1]["staff_id"]) == (visit, nurse)
    (access,) = await service.query("SELECT team, submitted_by FROM episode_access WHERE episode_id = $1", referral.episode_id)
    assert (access["team"], access["submitted_by"]) == ("north", "county-general-ehr")
    assert await service.query("SELECT 1 FROM episode_staff WHERE episode_id = $1 AND staff_id = $2", referral.episode_id, nurse)


async def test_an_urgent_first_visit_tells_the_nurse_in_the_app_and_mrs_a_who_is_coming(service: Notifications) -> None:
    referral = mrs_a_referred(patient=mrs_a(contact={"email": "alice@example.org", "preferred_channel": "email"}))
    nurse, visit, now = uuid4(), uuid4(), datetime.now(UTC)
    await service.publish(referral)
    first_response = VisitPlanned(
        episode_id=referral.episode_id,
        visit_id=visit,
        purpose=VisitPurpose.FIRST_RESPONSE,
        discipline="nurse",
        earliest_start=now,
        latest_start=now + timedelta(hours=2),
        duration_minutes=45,
    )
    await service.publish(first_response)
    assigned = VisitAssigned(episode_id=referral.episode_id, visit_id=visit, staff_id=nurse, planned_start=now)
    await service.publish(assigned)

    rows = await service.query("SELECT * FROM messages WHERE episode_id = $1 ORDER BY audience", referral.episode_id)
    assert [(r["audience"], r["channel"], r["template"], r["status"], r["urgent"]) for r in rows] == [
        ("field-staff", "in-app", "urgent-visit-assigned", "delivered", True),
        ("patient", "email", "who-is-coming", "pending", True),
    ]
    assert rows[0]["recipient_ref"] == str(nurse)
    events = await service.notifications(referral.episode_id, want=3)
    assert sorted(type(e.event).__name__ for e in events) == [
        "NotificationDelivered",
        "NotificationRequested",
        "NotificationRequested",
    ]
    (delivered,) = [e.event for e in events if isinstance(e.event, NotificationDelivered)]
    assert delivered.notification_id == rows[0]["notification_id"]
    assert {e.metadata.correlation_id for e in events} == {"case-mrs-a"}


async def test_a_withdrawal_cancels_the_familys_waiting_message_and_says_so_in_its_case(service: Notifications) -> None:
    family = {
        "contact_id": str(uuid4()),
        "relationship": "daughter",
        "may_be_told_plan": True,
        "contact": {"email": "daughter@example.org", "preferred_channel": "email"},
    }
    referral = mrs_a_referred(family_contact=family)
    now = datetime.now(UTC)
    await service.publish(referral)
    late = VisitRunningLate(
        episode_id=referral.episode_id,
        visit_id=uuid4(),
        staff_id=uuid4(),
        at=now,
        expected_arrival=now + timedelta(minutes=20),
        minutes_late=20,
    )
    await service.publish(late, correlation_id="case-running-late")
    withdrawal = ConsentWithdrawn(
        episode_id=referral.episode_id, consent_id=uuid4(), scope=ConsentScope.FAMILY_INVOLVEMENT, withdrawn_at=now
    )
    await service.publish(withdrawal, correlation_id="case-withdrawal")

    (row,) = await service.query("SELECT * FROM messages WHERE episode_id = $1", referral.episode_id)
    assert (row["audience"], row["status"], row["last_error"]) == ("family", "cancelled", "consent withdrawn")
    events = await service.notifications(referral.episode_id, want=2)
    (stopped,) = [e for e in events if isinstance(e.event, NotificationFailed)]
    assert isinstance(stopped.event, NotificationFailed)
    assert (stopped.event.notification_id, stopped.event.will_retry, stopped.event.reason) == (
        row["notification_id"],
        False,
        "consent withdrawn",
    )
    assert stopped.metadata.correlation_id == "case-running-late", "in the case of the message it stops"


def test_every_followed_type_goes_on_the_feed_before_any_trigger_runs() -> None:
    for cls in events_on(*FEED_TOPICS):
        assert handlers.for_type(cls)[0] is on_any_event, f"{cls.__name__}: the feed's handler runs first"
    assert len(handlers.for_type(ReferralAccepted)) == 2, "the feed, then the referrer's notice"


async def test_the_hub_is_told_of_a_dead_letter_but_not_of_the_marker_its_replay_leaves(service: Notifications) -> None:
    episode = uuid4()
    watch = DeadLetterWatch(service.transport, "dead-letter-watch-test", service.settings.reach(), service.runtime.outbox)
    dead_letter = [
        ("ce_id", b"poison-1"),
        ("carerelay_dlq_reason", b"data is not valid JSON"),
        ("carerelay_dlq_original_topic", b"carerelay.referral.v1"),
        ("carerelay_dlq_consumer", b"carerelay-triage"),
    ]
    marker = [("carerelay_dlq_replayed", b"0:0"), ("carerelay_dlq_replayed_to", b"carerelay.referral.v1:2:9")]
    topic = topic_name(Topic.DEAD_LETTER, service.transport.topic_prefix)

    await watch.tell_the_hub(service.runtime.pool, topic, 0, 0, str(episode).encode(), dead_letter)
    rows = await service.query("SELECT template FROM messages WHERE episode_id = $1", episode)
    assert rows
    assert {row["template"] for row in rows} == {"dead-letter"}

    await watch.tell_the_hub(service.runtime.pool, topic, 0, 1, str(episode).encode(), marker)
    assert len(await service.query("SELECT 1 FROM messages WHERE episode_id = $1", episode)) == len(rows)


async def watching(service: Notifications, group: str) -> tuple[asyncio.Event, asyncio.Task[None]]:
    """The dead-letter watch running in consumer group `group`, as the service runs it; stopped by the event."""
    watch = DeadLetterWatch(service.transport, group, service.settings.reach(), service.runtime.outbox)
    stopping = asyncio.Event()
    return stopping, asyncio.create_task(watch.run(service.runtime.pool, stopping))


async def stop(watch: tuple[asyncio.Event, asyncio.Task[None]]) -> None:
    stopping, task = watch
    stopping.set()
    await asyncio.wait_for(task, 30)


async def hub_told(service: Notifications, episode: UUID, want: int | None = None) -> list[Any]:
    """The hub's messages of dead letters about `episode` (once there are `want` of them)."""

    async def told() -> list[Any]:
        rows = await service.query(
            "SELECT trigger_event_id, body FROM messages WHERE episode_id = $1 AND template = 'dead-letter'"
            " ORDER BY requested_at",
            episode,
        )
        return rows if want is None or len(rows) >= want else []

    return await eventually(told, within=30, what=f"{want} dead-letter messages to the hub")


async def test_a_poison_message_dead_lettered_twice_tells_the_hub_once_even_when_the_watch_reads_it_again(
    service: Notifications,
) -> None:
    episode = uuid4()
    key, prefix = str(episode).encode(), service.transport.topic_prefix
    producer = service.transport.producer("dead-letter-copies")
    await producer.start()
    triage = DeadLetters(producer, "carerelay-triage", prefix)
    original = topic_name(Topic.REFERRAL, prefix)
    poison = InboundRecord(original, 1, 7, key, b'{"episode_id": 1}', (("ce_id", b"poison-1"), ("ce_type", b"x")))
    bad_json = InboundRecord(original, 1, 8, key, b'{"not json', ())
    try:
        await triage.publish(poison, "data: episode_id is not a UUID")
        await triage.publish(poison, "data: episode_id is not a UUID")  # triage restarted before committing
        await triage.publish(bad_json, "data is not valid JSON")
        await triage.publish(bad_json, "data is not valid JSON")
        replayed_from = f"{topic_name(Topic.DEAD_LETTER, prefix)}:0:0".encode()
        again = InboundRecord(original, 1, 42, key, poison.value, (*poison.headers, (REPLAYED_FROM, replayed_from)))
        await triage.publish(again, "data: episode_id is not a UUID")  # replayed before the fix: dead-lettered anew
        first = await watching(service, "dead-letter-watch-test")
        told = await hub_told(service, episode, want=2)
        await triage.publish(InboundRecord(original, 1, 50, key, b"{}", (("ce_id", b"poison-2"),)), "data: missing fields")
        await hub_told(service, episode, want=3)  # the watch has read every copy before it
        await stop(first)

        again_from_the_start = await watching(service, "dead-letter-watch-test-restarted")  # its offsets lost
        await triage.publish(InboundRecord(original, 1, 51, key, b"{}", (("ce_id", b"poison-3"),)), "data: missing fields")
        told = await hub_told(service, episode, want=4)
        await stop(again_from_the_start)
    finally:
        await producer.stop()

    assert len(told) == 4, "one message for each of poison-1, the bad JSON, poison-2 and poison-3"
    assert len({row["trigger_event_id"] for row in told}) == 4
    assert sum("not valid JSON" in row["body"] for row in told) == 1
    assert sum("not a UUID" in row["body"] for row in told) == 1


@pytest.mark.parametrize("transport", [pytest.param("kafka", marks=pytest.mark.integration)], indirect=True)
async def test_a_poison_message_replayed_before_its_fix_tells_the_hub_once(service: Notifications) -> None:
    """The whole way round on the real Kafka: this service's own consumer dead-letters a schema-invalid
    referral and a record that is not JSON; the operator replays both (`python -m
    carerelay_events.dead_letters replay --all`) before the fix, so each is dead-lettered again and each
    replay leaves its marker; the hub is told of each once."""
    episode = uuid4()
    key, prefix = str(episode).encode(), service.transport.topic_prefix
    dead_letter_topic = topic_name(Topic.DEAD_LETTER, prefix)
    metadata = new_metadata(mrs_a_referred(episode_id=str(episode)), "/tests", event_id="poison-referral")
    await send(service.transport, Topic.REFERRAL, b'{"episode_id": "%s"}' % key, key, encode_headers(metadata, {}))
    await send(service.transport, Topic.REFERRAL, b"{not json", key, ())
    kafka = KafkaSettings(topic_prefix=prefix)

    async def dead_letters(want: int) -> list[Any]:
        found = [letter for letter in await read_dead_letters(kafka, dead_letter_topic) if letter.key == key]
        return found if len(found) >= want else []

    await eventually(lambda: dead_letters(2), within=60, what="the two dead letters")
    watch = await watching(service, "dead-letter-watch-replays")
    try:
        await hub_told(service, episode, want=2)
        report = await replay(kafka, dead_letter_topic, None)
        assert len(report.replayed) == 2
        letters = await eventually(lambda: dead_letters(4), within=60, what="the replays dead-lettered again")
        assert len({letter.event_id for letter in letters}) == 2, "the same two, twice each"
        sentinel = new_metadata(mrs_a_referred(episode_id=str(episode)), "/tests", event_id="poison-sentinel")
        await send(service.transport, Topic.REFERRAL, b"{}", key, encode_headers(sentinel, {}))
        told = await hub_told(service, episode, want=3)  # the watch has read everything before the sentinel
    finally:
        await stop(watch)
    assert len(told) == 3, "poison-referral, the bad JSON and the sentinel: one message each"

"""Messages to people on the real Kafka and PostgreSQL: a notifications process of its own (its own
topics and database), sending email to an aiosmtpd server and GP messages to a local endpoint that
checks the webhook signature, both run by these tests. Quiet hours are off and retries fast."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message as EmailMessage
from typing import Any
from uuid import UUID, uuid4

import httpx
import orjson
import pytest
from aiohttp import web

from carerelay_contract.episode import AssessmentRecorded, ConsentRecorded, ConsentWithdrawn, EpisodeClosed, OnwardReferralMade
from carerelay_contract.model import Event
from carerelay_contract.referral import ReferralReceived
from carerelay_contract.topics import Topic, topic_name
from carerelay_contract.visit import VisitAssigned, VisitCompleted, VisitPlanned, VisitRunningLate, VisitUnassignable
from carerelay_contract.vocabulary import AssessmentKind, ConsentScope, EpisodeOutcome, VisitPurpose
from carerelay_events.admin import ensure_topics
from carerelay_events.settings import KafkaSettings
from carerelay_notifications.domain.fhir.checks import document_problems
from carerelay_notifications.domain.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from carerelay_stack.processes import ServiceProcess
from carerelay_testing.factories import mrs_a, referral_received

from .support.kafka import Message, produce_raw, publish, read_all, wait_for_messages
from .support.mail import Mailbox, SmtpServer
from .support.system import HUB_HANDLER, RunningSystem, free_port
from .support.waiting import eventually

WEBHOOK_SECRET = "messages-test-secret"
DATABASE = "notifications_messages"
REQUESTED = "uk.nhs.carerelay.notification.requested.v1"
DELIVERED = "uk.nhs.carerelay.notification.delivered.v1"
FAILED = "uk.nhs.carerelay.notification.failed.v1"


# ---------------------------------------------------------------- the SMTP server and the GP's endpoint


@dataclass
class GpEndpoint:
    port: int = field(default_factory=free_port)
    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    refused: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/gp-inbox"

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not verify(
            WEBHOOK_SECRET.encode(), request.headers[TIMESTAMP_HEADER], body, request.headers[SIGNATURE_HEADER], time.time()
        ):
            self.refused += 1
            return web.Response(status=401)
        self.received.append((dict(request.headers), orjson.loads(body)))
        return web.Response(status=202)

    def of_type(self, resource_type: str) -> list[dict[str, Any]]:
        return [body for _, body in self.received if body.get("resourceType") == resource_type]


@dataclass
class World:
    system: RunningSystem
    kafka: KafkaSettings
    mailbox: Mailbox
    smtp: SmtpServer
    gp: GpEndpoint
    notifications: ServiceProcess

    def topic(self, topic: Topic) -> str:
        return topic_name(topic, self.kafka.topic_prefix)

    async def publish(self, event: Event, event_id: str | None = None, source: str = "/tests") -> str:
        return await publish(self.kafka, event, source=source, event_id=event_id)

    async def handled(self, event_id: str) -> None:
        await eventually(
            lambda: self.system.query(DATABASE, "SELECT 1 FROM processed_events WHERE event_id = $1", event_id),
            within=30,
            what="notifications to handle the event",
        )

    async def messages(self, episode_id: UUID) -> list[Any]:
        return await self.system.query(DATABASE, "SELECT * FROM messages WHERE episode_id = $1 ORDER BY requested_at", episode_id)

    async def mail_to(self, address: str, count: int = 1) -> list[EmailMessage]:
        async def arrived() -> list[EmailMessage]:
            mails = self.mailbox.to(address)
            return mails if len(mails) >= count else []

        return await eventually(arrived, within=30, what=f"{count} email(s) to arrive")

    async def notification_events(self, notification_id: UUID) -> list[Message]:
        return [
            m
            for m in await read_all(self.kafka, self.topic(Topic.NOTIFICATION))
            if orjson.loads(m.value or b"{}").get("notification_id") == str(notification_id)
        ]


@pytest.fixture(scope="module")
async def world(system: RunningSystem) -> AsyncIterator[World]:
    kafka = KafkaSettings(topic_prefix=f"m{system.run_id}.")
    await ensure_topics(kafka)
    database_url = await system.add_database(DATABASE)
    mailbox = Mailbox()
    smtp = SmtpServer(mailbox)
    smtp.start()
    gp = GpEndpoint()
    app = web.Application()
    app.router.add_post("/gp-inbox", gp.receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", gp.port).start()
    process = system.service_process(
        "notifications",
        database_url,
        label="notifications-messages",
        CARERELAY_KAFKA_TOPIC_PREFIX=kafka.topic_prefix,
        CARERELAY_NOTIFICATIONS_SMTP_HOST="127.0.0.1",
        CARERELAY_NOTIFICATIONS_SMTP_PORT=str(smtp.port),
        CARERELAY_NOTIFICATIONS_SMTP_TIMEOUT_SECONDS="2",
        CARERELAY_NOTIFICATIONS_MESSAGE_ID_DOMAIN="carerelay.test",
        CARERELAY_NOTIFICATIONS_WEBHOOK_SECRET=WEBHOOK_SECRET,
        CARERELAY_NOTIFICATIONS_GP_ENDPOINT_DEFAULT=gp.url,
        CARERELAY_NOTIFICATIONS_QUIET_HOURS_START="00:00",
        CARERELAY_NOTIFICATIONS_QUIET_HOURS_END="00:00",
        CARERELAY_NOTIFICATIONS_DELIVERY_BASE_BACKOFF_SECONDS="0.2",
        CARERELAY_NOTIFICATIONS_DELIVERY_MAX_BACKOFF_SECONDS="1",
        CARERELAY_NOTIFICATIONS_DELIVERY_POLL_SECONDS="0.2",
    )
    process.start()
    process.wait_healthy()
    yield World(system, kafka, mailbox, smtp, gp, process)
    process.stop()
    smtp.stop()
    await runner.cleanup()


# ---------------------------------------------------------------- the events


def a_referral(
    episode_id: UUID,
    *,
    patient_email: str | None = None,
    family_email: str | None = None,
    family_may_be_told: bool = False,
    consent_to_share: bool = True,
) -> ReferralReceived:
    """Mrs A's referral, a month ago, to the north team, with the contact details a test needs."""
    contact = {"email": patient_email, "preferred_channel": "email" if patient_email else "none"}
    changes: dict[str, Any] = {
        "episode_id": episode_id,
        "received_at": datetime.now(UTC) - timedelta(days=30),
        "patient": mrs_a(contact=contact),
        "consent_to_share": consent_to_share,
        "team": "north",
    }
    if family_email:
        changes["family_contact"] = {
            "contact_id": uuid4(),
            "relationship": "daughter",
            "may_be_told_plan": family_may_be_told,
            "contact": {"email": family_email, "preferred_channel": "email"},
        }
    return ReferralReceived.model_validate(referral_received(**changes))


def running_late(episode_id: UUID, minutes: int = 20) -> VisitRunningLate:
    now = datetime.now(UTC)
    return VisitRunningLate(
        episode_id=episode_id,
        visit_id=uuid4(),
        staff_id=uuid4(),
        at=now,
        expected_arrival=now + timedelta(minutes=minutes),
        minutes_late=minutes,
    )


def family_consent(episode_id: UUID, granted: bool) -> ConsentRecorded | ConsentWithdrawn:
    now = datetime.now(UTC)
    if granted:
        return ConsentRecorded(episode_id=episode_id, consent_id=uuid4(), scope=ConsentScope.FAMILY_INVOLVEMENT, recorded_at=now)
    return ConsentWithdrawn(episode_id=episode_id, consent_id=uuid4(), scope=ConsentScope.FAMILY_INVOLVEMENT, withdrawn_at=now)


# ---------------------------------------------------------------- consent


async def test_a_late_visit_tells_the_family_only_when_the_patient_allows(world: World) -> None:
    allowed, refused, consented = uuid4(), uuid4(), uuid4()
    address = {episode: f"family-{episode}@example.org" for episode in (allowed, refused, consented)}
    await world.publish(a_referral(allowed, family_email=address[allowed], family_may_be_told=True))
    await world.publish(a_referral(refused, family_email=address[refused], family_may_be_told=False))
    await world.publish(a_referral(consented, family_email=address[consented], family_may_be_told=False))
    await world.publish(family_consent(consented, granted=True))
    late = {episode: await world.publish(running_late(episode)) for episode in (allowed, refused, consented)}

    (mail,) = await world.mail_to(address[allowed])
    assert "running about 20 minutes late" in mail.get_payload()
    assert "Alice" not in mail.get_payload(), "a family message does not name the patient"
    await world.mail_to(address[consented])
    await world.handled(late[refused])
    await asyncio.sleep(1.0)
    assert world.mailbox.to(address[refused]) == []
    assert await world.messages(refused) == [], "nothing is even requested without the patient's permission"
    (message,) = await world.messages(allowed)
    assert (message["audience"], message["channel"], message["status"]) == ("family", "email", "delivered")
    assert mail["Message-ID"] == f"<{message['notification_id']}@carerelay.test>"


async def test_a_withdrawn_consent_stops_the_next_message(world: World) -> None:
    episode, address = uuid4(), f"family-{uuid4()}@example.org"
    await world.publish(a_referral(episode, family_email=address, family_may_be_told=True))
    await world.publish(running_late(episode))
    await world.mail_to(address)

    await world.publish(family_consent(episode, granted=False))
    second = await world.publish(running_late(episode, minutes=40))
    await world.handled(second)
    await asyncio.sleep(1.0)
    assert len(world.mailbox.to(address)) == 1
    assert len(await world.messages(episode)) == 1


async def test_a_withdrawal_stops_a_message_already_waiting_to_be_sent(world: World) -> None:
    episode, address = uuid4(), f"family-{uuid4()}@example.org"
    world.mailbox.deferred.add(address)  # the family's mail server says "try again later": the message waits
    await world.publish(a_referral(episode, family_email=address, family_may_be_told=True))
    await world.publish(running_late(episode))

    async def retrying() -> Any:
        rows = await world.messages(episode)
        return rows and rows[0]["attempts"] >= 1 and rows[0]["status"] == "pending" and rows[0]

    waiting = await eventually(retrying, within=30, what="the message to be waiting for a retry")
    await world.publish(family_consent(episode, granted=False))
    world.mailbox.deferred.discard(address)

    async def stopped() -> Any:
        rows = await world.messages(episode)
        return rows[0]["status"] == "cancelled" and rows[0]

    cancelled = await eventually(stopped, within=30, what="the waiting message to be cancelled")
    assert cancelled["last_error"] == "consent withdrawn"
    await asyncio.sleep(1.5)
    assert world.mailbox.to(address) == []
    failures = [
        orjson.loads(m.value or b"")
        for m in await wait_for_messages(
            world.kafka,
            world.topic(Topic.NOTIFICATION),
            lambda m: m.ce_type == FAILED and b"consent withdrawn" in (m.value or b""),
        )
    ]
    assert any(f["notification_id"] == str(waiting["notification_id"]) and f["will_retry"] is False for f in failures)


# ---------------------------------------------------------------- idempotency and outages


async def test_a_redelivered_trigger_sends_one_email(world: World) -> None:
    episode, address = uuid4(), f"patient-{uuid4()}@example.org"
    await world.publish(a_referral(episode, patient_email=address))
    late = running_late(episode)
    event_id = await world.publish(late)
    await world.publish(late, event_id=event_id)  # the same event, redelivered
    await world.publish(late, event_id=event_id, source="/tests/replayed")  # and again, from another source
    marker = await world.publish(VisitUnassignable(episode_id=episode, visit_id=uuid4(), reason="marker", at=datetime.now(UTC)))
    await world.handled(marker)
    await world.mail_to(address)
    await asyncio.sleep(1.5)
    assert len(world.mailbox.to(address)) == 1
    patient_messages = [row for row in await world.messages(episode) if row["audience"] == "patient"]
    assert len(patient_messages) == 1
    events = await world.notification_events(patient_messages[0]["notification_id"])
    assert sorted(m.ce_type for m in events) == [DELIVERED, REQUESTED]


async def test_an_smtp_outage_then_recovery_delivers_exactly_once(world: World) -> None:
    episode, address = uuid4(), f"patient-{uuid4()}@example.org"
    await world.publish(a_referral(episode, patient_email=address))
    world.smtp.stop()
    try:
        await world.publish(running_late(episode))
        (message,) = await eventually(lambda: world.messages(episode), within=30, what="the message to be requested")
        notification_id = message["notification_id"]

        async def failed_and_retrying() -> list[Any]:
            return [
                body
                for m in await world.notification_events(notification_id)
                if m.ce_type == FAILED and (body := orjson.loads(m.value or b""))["will_retry"]
            ]

        (first_failure, *_) = await eventually(failed_and_retrying, within=30, what="notification.failed with will_retry")
        assert first_failure["attempt"] >= 1
        assert first_failure["reason"].startswith("SMTP unavailable")
        assert world.mailbox.to(address) == []
    finally:
        world.smtp.start()

    (mail,) = await world.mail_to(address)
    assert mail["Message-ID"] == f"<{notification_id}@carerelay.test>"
    await asyncio.sleep(2.0)  # a second delivery, if one were coming, would be here by now
    assert len(world.mailbox.to(address)) == 1
    delivered = [m for m in await world.notification_events(notification_id) if m.ce_type == DELIVERED]
    assert len(delivered) == 1
    (row,) = await world.messages(episode)
    assert row["status"] == "delivered"
    assert row["attempts"] >= 2


# ---------------------------------------------------------------- the GP


async def test_the_gp_receives_a_fhir_discharge_summary_when_the_episode_closes(world: World) -> None:
    episode, now = uuid4(), datetime.now(UTC)
    staff, visits = uuid4(), [uuid4(), uuid4()]
    await world.publish(a_referral(episode))
    for visit in visits:
        await world.publish(
            VisitPlanned(
                episode_id=episode,
                visit_id=visit,
                purpose=VisitPurpose.CARE,
                discipline="carer",
                earliest_start=now,
                latest_start=now + timedelta(hours=1),
                duration_minutes=30,
            )
        )
        await world.publish(VisitAssigned(episode_id=episode, visit_id=visit, staff_id=staff, planned_start=now))
        await world.publish(VisitCompleted(episode_id=episode, visit_id=visit, staff_id=staff, at=now, tasks_done=["washing"]))
    await world.publish(
        AssessmentRecorded(
            episode_id=episode,
            assessment_id=uuid4(),
            kind=AssessmentKind.INITIAL,
            recorded_at=now,
            recorded_by_staff_id=staff,
            news2_score=2,
            clinical_frailty_scale=6,
            summary="Unsteady; fears falling.",
        )
    )
    await world.publish(
        OnwardReferralMade(
            episode_id=episode,
            onward_referral_id=uuid4(),
            service="Social services: morning package",
            made_at=now,
            made_by_staff_id=staff,
        )
    )
    await world.publish(EpisodeClosed(episode_id=episode, closed_at=now, outcome=EpisodeOutcome.ONGOING_CARE_PACKAGE))

    async def summary() -> list[dict[str, Any]]:
        return [
            b
            for b in world.gp.of_type("Bundle")
            if any(
                e["resource"].get("identifier") == [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{episode}"}]
                for e in b["entry"]
            )
        ]

    (bundle,) = await eventually(summary, within=30, what="the GP's discharge summary")
    assert bundle["type"] == "document"
    assert document_problems(bundle) == []
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds[0] == "Composition"
    assert kinds.count("Encounter") == 2
    assert {"Patient", "EpisodeOfCare", "Observation", "ServiceRequest"} <= set(kinds)
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["identifier"][0]["value"] == "9990000018"
    headers = next(h for h, b in world.gp.received if b is bundle)
    assert headers["Content-Type"] == "application/fhir+json"
    assert world.gp.refused == 0

    # An emergency NEWS2 is an urgent message to the GP at once (and the hub is told).
    await world.publish(
        AssessmentRecorded(
            episode_id=episode,
            assessment_id=uuid4(),
            kind=AssessmentKind.NEWS2,
            recorded_at=now,
            recorded_by_staff_id=staff,
            news2_score=8,
        )
    )

    async def urgent() -> list[dict[str, Any]]:
        return [c for c in world.gp.of_type("Communication") if c["about"][0]["identifier"]["value"] == f"urn:uuid:{episode}"]

    (communication,) = await eventually(urgent, within=30, what="the GP's urgent message")
    assert communication["priority"] == "urgent"
    rows = await world.messages(episode)
    assert {(r["audience"], r["template"]) for r in rows} >= {
        ("gp", "discharge-summary"),
        ("gp", "urgent-clinical-update"),
        ("hub", "urgent-clinical-update"),
    }


# ---------------------------------------------------------------- the hub, dead letters and bad input


def _ce_headers(ce_type: str, ce_id: str) -> list[tuple[str, bytes]]:
    return [
        ("ce_specversion", b"1.0"),
        ("ce_id", ce_id.encode()),
        ("ce_source", b"/tests"),
        ("ce_type", ce_type.encode()),
        ("content-type", b"application/json"),
    ]


@pytest.mark.parametrize(
    ("ce_type", "change", "field_named"),
    [
        ("visit.unassignable", {"reason": None}, "reason"),
        ("visit.running-late", {"minutes_late": 0}, "minutes_late"),
        ("referral.received", {"family_email": "not an address"}, "family_contact.contact.email"),
    ],
)
async def test_a_malformed_event_is_dead_lettered_with_a_reason_and_the_hub_is_told(
    world: World, ce_type: str, change: dict[str, Any], field_named: str
) -> None:
    episode = uuid4()
    if ce_type == "referral.received":
        body: dict[str, Any] = a_referral(episode, family_email="ok@example.org").model_dump(mode="json")
        body["family_contact"]["contact"]["email"] = change["family_email"]
    elif ce_type == "visit.unassignable":
        body = {"episode_id": str(episode), "visit_id": str(uuid4()), "at": datetime.now(UTC).isoformat()}
    else:
        body = running_late(episode).model_dump(mode="json") | change
    ce_id = f"bad-{uuid4()}"
    await produce_raw(
        world.kafka,
        world.topic(Topic.VISIT if ce_type.startswith("visit") else Topic.REFERRAL),
        orjson.dumps(body),
        str(episode).encode(),
        _ce_headers(f"uk.nhs.carerelay.{ce_type}.v1", ce_id),
    )
    (dead,) = await wait_for_messages(world.kafka, world.topic(Topic.DEAD_LETTER), lambda m: m.headers.get("ce_id") == ce_id)
    reason = dead.headers["carerelay_dlq_reason"]
    assert field_named in reason
    assert "not an address" not in reason
    assert dead.headers["carerelay_dlq_consumer"] == f"{world.kafka.topic_prefix}carerelay-notifications"

    async def hub_told() -> list[Any]:
        return [row for row in await world.messages(episode) if row["template"] == "dead-letter"]

    (told,) = await eventually(hub_told, within=30, what="the hub to be told of the dead letter")
    assert (told["audience"], told["channel"], told["recipient_ref"]) == ("hub", "in-app", "hub")
    assert field_named in told["body"]


async def test_an_unassignable_visit_tells_the_hub_and_the_teams_coordinators(world: World) -> None:
    episode = uuid4()
    await world.publish(a_referral(episode))
    await world.publish(
        VisitUnassignable(
            episode_id=episode, visit_id=uuid4(), reason="no nurse on shift with catheter skills", at=datetime.now(UTC)
        )
    )

    async def told() -> list[Any]:
        rows = await world.messages(episode)
        return rows if len(rows) >= 2 else []

    rows = await eventually(told, within=30, what="the hub and coordinators to be told")
    assert {(r["audience"], r["recipient_ref"], r["status"]) for r in rows} == {
        ("hub", "hub", "delivered"),
        ("coordinator", "team:north", "delivered"),
    }

    async with httpx.AsyncClient(
        base_url=world.notifications.base_url, headers=await world.system.headers("daniel.hughes")
    ) as client:
        inbox = (await client.get("/api/notifications/messages")).json()["items"]
    assert any(item["episode_id"] == str(episode) and item["template"] == "visit-unassignable" for item in inbox)


async def test_the_audit_of_who_was_told_what_follows_the_access_matrix(world: World) -> None:
    episode, address = uuid4(), f"family-{uuid4()}@example.org"
    await world.publish(a_referral(episode, family_email=address, family_may_be_told=True))
    await world.publish(running_late(episode))
    await world.mail_to(address)
    url = world.notifications.base_url

    async def read(user: str, **params: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=url, headers=await world.system.headers(user)) as client:
            return await client.get("/api/notifications/messages", params=params)

    hub = await read(HUB_HANDLER, episode_id=str(episode))
    assert hub.status_code == 200
    (item,) = hub.json()["items"]
    assert (item["audience"], item["channel"], item["status"]) == ("family", "email", "delivered")
    assert "running about 20 minutes late" in item["body"]
    assert address not in hub.text, "the audit names recipients by reference only"

    auditor = (await read("ian.whitlock", episode_id=str(episode))).json()["items"]
    assert [i["notification_id"] for i in auditor] == [item["notification_id"]]
    assert "body" not in auditor[0], "the auditor sees who was told what and when, not the message"
    assert (await read("hana.patel", episode_id=str(episode))).json()["items"], "the registered GP may see it"
    assert (await read("tom.bryce", episode_id=str(episode))).json()["items"] == [], "not assigned: nothing"
    assert (await read("joe.evans", episode_id=str(episode))).status_code == 403, "a carer may not read the audit"

    bad = await read(HUB_HANDLER, episode_id="not-a-uuid")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "episode_id"
    assert (await read(HUB_HANDLER, episode_id=str(episode), limit=0)).status_code == 422

    audited = await world.system.query(
        DATABASE, "SELECT actor, action FROM audit_log WHERE $1 = ANY(resource_ids) ORDER BY seq", str(episode)
    )
    assert [row["action"] for row in audited] == ["message.read"] * 4


async def test_health_counts_the_delivery_worker_and_metrics_name_no_one(world: World) -> None:
    async with httpx.AsyncClient(base_url=world.notifications.base_url) as client:
        assert (await client.get("/health")).status_code == 200
        metrics = (await client.get("/metrics")).text
    assert 'carerelay_notifications_attempts_total{channel="email",outcome="delivered"}' in metrics
    assert "@example.org" not in metrics
    assert "9990000018" not in metrics


async def test_each_send_attempt_is_a_span_in_the_triggers_trace_naming_no_one(world: World) -> None:
    async def sends() -> list[Any]:
        return [s for s in world.system.collector.snapshot() if s.name == "send email"]

    spans = await eventually(sends, within=30, what="send spans to be exported")
    processing = {s.trace_id for s in world.system.collector.snapshot() if s.name == f"process {world.topic(Topic.VISIT)}"}
    assert any(span.trace_id in processing for span in spans), "a send continues the trace of the event that triggered it"
    for span in spans:
        assert span.attributes["carerelay.notification.channel"] == "email"
        assert not any("@" in value or "9990000018" in value for value in span.attributes.values())

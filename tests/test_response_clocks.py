"""Response clocks on the real Kafka: at risk, breached and met fire exactly once each, including
across a SIGKILL of the triage service in the middle of a clock. These run a triage worker of their
own, on topics of their own, with a rules file whose tiers last seconds instead of hours."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
import yaml

from carerelay_contract.referral import ReferralReceived
from carerelay_contract.topics import Topic, topic_name
from carerelay_contract.visit import VisitAssigned, VisitStarted
from carerelay_events.admin import ensure_topics
from carerelay_events.settings import KafkaSettings
from carerelay_stack.processes import ServiceProcess
from carerelay_triage.rules import DEFAULT_RULES_FILE

from .support.kafka import Message, publish, read_all, wait_for_messages
from .support.system import LOG_DIR, RunningSystem

ALLOWED_SECONDS = 8
AT_RISK_FRACTION = 0.5
AT_RISK = "uk.nhs.carerelay.response-clock.at-risk.v1"
BREACHED = "uk.nhs.carerelay.response-clock.breached.v1"
MET = "uk.nhs.carerelay.response-clock.met.v1"


def fast_rules(folder: Path) -> Path:
    """The default rules with every tier lasting seconds (the rules file is the only thing changed)."""
    rules: dict[str, Any] = yaml.safe_load(DEFAULT_RULES_FILE.read_text())
    for tier in rules["tiers"]:
        rules["tiers"][tier]["allowed"] = f"{ALLOWED_SECONDS}s"
    rules["at_risk_fraction"] = AT_RISK_FRACTION
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fast-rules.yaml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False))
    return path


@dataclass
class ClockWorld:
    kafka: KafkaSettings
    database_url: str
    env: dict[str, str]
    log_dir: Path
    triage: ServiceProcess

    def restart(self) -> None:
        self.triage = ServiceProcess(
            "triage", self.triage.port, self.env, self.log_dir / "triage-clocks.log", cwd=self.log_dir
        )
        self.triage.start()
        self.triage.wait_healthy()

    async def clock_events(self, episode_id: UUID) -> list[Message]:
        topic = topic_name(Topic.RESPONSE_CLOCK, self.kafka.topic_prefix)
        return [m for m in await read_all(self.kafka, topic) if m.key == str(episode_id).encode()]


@pytest.fixture(scope="module")
async def clocks(system: RunningSystem) -> AsyncIterator[ClockWorld]:
    kafka = KafkaSettings(topic_prefix=f"c{system.run_id}.")
    await ensure_topics(kafka)
    database_url = await system.add_database("triage_clocks")
    log_dir = LOG_DIR / system.run_id
    process = system.service_process(
        "triage",
        database_url,
        label="triage-clocks",
        CARERELAY_KAFKA_TOPIC_PREFIX=kafka.topic_prefix,
        CARERELAY_TRIAGE_RULES_FILE=str(fast_rules(log_dir)),
        CARERELAY_TRIAGE_CLOCK_TICK_SECONDS="0.25",
    )
    process.start()
    process.wait_healthy()
    world = ClockWorld(kafka, database_url, process.env, log_dir, process)
    yield world
    world.triage.stop()


def _fall(episode_id: UUID, received_at: datetime) -> ReferralReceived:
    return ReferralReceived.model_validate(
        {
            "episode_id": episode_id,
            "referral_id": uuid4(),
            "received_at": received_at,
            "route": "step-up",
            "referrer": {"role": "gp", "organisation": "Test Surgery", "callback_number": "0116 496 0000"},
            "patient": {
                "nhs_number": "9990000018",
                "given_name": "Clock",
                "family_name": "Test",
                "date_of_birth": "1940-01-01",
                "address": "1 Test Row",
                "postcode": "LE1 1AA",
                "gp_practice_code": "C82001",
            },
            "reason": "Fell",
            "presenting_needs": ["fall"],
            "consent_to_share": True,
        }
    )


def _types(messages: list[Message]) -> list[str]:
    return [m.ce_type for m in messages]


async def test_at_risk_and_breached_fire_once_each_across_a_restart(clocks: ClockWorld) -> None:
    episode = uuid4()
    await publish(clocks.kafka, _fall(episode, datetime.now(UTC)))
    topic = topic_name(Topic.RESPONSE_CLOCK, clocks.kafka.topic_prefix)
    await wait_for_messages(clocks.kafka, topic, lambda m: m.key == str(episode).encode() and m.ce_type == AT_RISK, within=20)

    clocks.triage.kill()  # SIGKILL in the middle of the clock: no clean shutdown
    await asyncio.sleep(ALLOWED_SECONDS * (1 - AT_RISK_FRACTION) + 1)  # the deadline passes while it is down
    clocks.restart()

    await wait_for_messages(clocks.kafka, topic, lambda m: m.key == str(episode).encode() and m.ce_type == BREACHED, within=30)
    await asyncio.sleep(3)  # a second firing, if one were coming, would be here by now
    assert sorted(_types(await clocks.clock_events(episode))) == sorted([AT_RISK, BREACHED])


async def test_first_contact_in_time_is_met_once_and_never_breached(clocks: ClockWorld) -> None:
    episode = uuid4()
    now = datetime.now(UTC)
    await publish(clocks.kafka, _fall(episode, now))
    await publish(clocks.kafka, VisitAssigned(episode_id=episode, visit_id=uuid4(), staff_id=uuid4(), planned_start=now))
    started = VisitStarted(episode_id=episode, visit_id=uuid4(), staff_id=uuid4(), at=now + timedelta(seconds=1))
    event_id = await publish(clocks.kafka, started)
    await publish(clocks.kafka, started, event_id=event_id)  # the same event, redelivered
    topic = topic_name(Topic.RESPONSE_CLOCK, clocks.kafka.topic_prefix)
    await wait_for_messages(clocks.kafka, topic, lambda m: m.key == str(episode).encode() and m.ce_type == MET, within=20)
    await asyncio.sleep(ALLOWED_SECONDS + 2)  # past the deadline
    assert _types(await clocks.clock_events(episode)) == [MET]


async def test_an_assigned_visit_due_after_the_deadline_puts_the_clock_at_risk_at_once(clocks: ClockWorld) -> None:
    episode = uuid4()
    now = datetime.now(UTC)
    await publish(clocks.kafka, _fall(episode, now))
    await publish(
        clocks.kafka,
        VisitAssigned(episode_id=episode, visit_id=uuid4(), staff_id=uuid4(), planned_start=now + timedelta(hours=1)),
    )
    topic = topic_name(Topic.RESPONSE_CLOCK, clocks.kafka.topic_prefix)
    at_risk = await wait_for_messages(
        clocks.kafka, topic, lambda m: m.key == str(episode).encode() and m.ce_type == AT_RISK, within=20
    )
    assert b"due after the deadline" in (at_risk[0].value or b"")


async def test_a_bad_rules_file_stops_the_service_saying_which_rule(system: RunningSystem, clocks: ClockWorld) -> None:
    rules: dict[str, Any] = yaml.safe_load(DEFAULT_RULES_FILE.read_text())
    rules["tiers"]["rapid"]["allowed"] = "soon"
    bad = clocks.log_dir / "bad-rules.yaml"
    bad.write_text(yaml.safe_dump(rules))
    process = system.service_process(
        "triage", clocks.database_url, label="triage-bad-rules", CARERELAY_TRIAGE_RULES_FILE=str(bad)
    )
    process.start()
    with pytest.raises(RuntimeError, match="exited"):
        process.wait_healthy(timeout=60)
    assert "tiers.rapid.allowed" in process.tail(60)

"""Replaying dead letters on the real Kafka, with the operator's command: a poison event that two
consumers dead-lettered, then fixed (their handler now accepts it) and replayed, is published once
to its original topic with its id, and handled exactly once by each; a second replay does nothing;
`list` says what is there and what was replayed; a dead letter not named is left alone."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import orjson
import pytest

from carerelay_contract.envelope import encode_headers, new_metadata
from carerelay_contract.errors import InvalidMessage
from carerelay_contract.referral import ReferralReceived
from carerelay_contract.topics import Topic, topic_name
from carerelay_events.dead_letters import CORRECTED, REPLAYED_FROM, DeadLetter, is_replay_marker, read_dead_letters
from carerelay_events.handlers import Handlers
from carerelay_events.processing import HandlerContext
from carerelay_events.runtime import EventRuntime
from carerelay_events.settings import ConsumerSettings, KafkaSettings
from carerelay_events.transport.base import Transport
from carerelay_service.migrations import migrate
from carerelay_stack.settings import StackSettings
from carerelay_testing.broker import eventually, publish, read, send
from carerelay_testing.factories import referral_received

on_the_real_kafka = pytest.mark.parametrize("transport", [pytest.param("kafka", marks=pytest.mark.integration)], indirect=True)


@dataclass
class Version:
    refuses_referrals: bool = True


handlers: Handlers[Version] = Handlers()


@handlers.on(ReferralReceived)
async def take_referral(event: ReferralReceived, context: HandlerContext[Version]) -> None:
    if context.resources.refuses_referrals:
        raise InvalidMessage("referral.received refused by this version (a bug, fixed in the next)")
    await context.conn.execute("INSERT INTO seen (event_id) VALUES ($1)", context.metadata.id)


@dataclass
class Consumers:
    one: EventRuntime[Version]
    two: EventRuntime[Version]
    version: Version
    settings: KafkaSettings

    @property
    def dead_letter_topic(self) -> str:
        return topic_name(Topic.DEAD_LETTER, self.settings.topic_prefix)

    async def seen(self, runtime: EventRuntime[Version]) -> list[str]:
        async with runtime.pool.acquire() as conn:
            return [row["event_id"] for row in await conn.fetch("SELECT event_id FROM seen")]

    async def command(self, *args: str) -> tuple[int, str]:
        """`python -m carerelay_events.dead_letters <args>` as an operator runs it, against this test's topics."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "carerelay_events.dead_letters",
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "CARERELAY_KAFKA_TOPIC_PREFIX": self.settings.topic_prefix},
        )
        out, _ = await asyncio.wait_for(process.communicate(), 60)
        return process.returncode or 0, out.decode()


async def a_consumer(name: str, database_url: str, transport: Transport, version: Version) -> EventRuntime[Version]:
    await migrate(database_url)
    conn = await asyncpg.connect(database_url)
    await conn.execute("CREATE TABLE seen (event_id text)")
    await conn.close()
    runtime = EventRuntime(
        name=name,
        database_url=database_url,
        handlers=handlers,
        resources=version,
        transport=transport,
        consumer_settings=ConsumerSettings(first_backoff_seconds=0.01, max_backoff_seconds=0.1),
    )
    await runtime.start()
    return runtime


@pytest.fixture
async def other_database_url(database_url: str) -> AsyncIterator[str]:
    """A second throwaway database (one per consumer, as each service has its own)."""
    admin_url = StackSettings().admin_url()
    name = database_url.rsplit("/", 1)[1]
    other = f"{name}_b"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{other}" OWNER "{name}"')
    finally:
        await conn.close()
    try:
        yield f"{database_url}_b"
    finally:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{other}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture
async def consumers(transport: Transport, database_url: str, other_database_url: str) -> AsyncIterator[Consumers]:
    version = Version()
    one = await a_consumer("replay-one", database_url, transport, version)
    two = await a_consumer("replay-two", other_database_url, transport, version)
    try:
        yield Consumers(one, two, version, KafkaSettings(topic_prefix=transport.topic_prefix))
    finally:
        await one.stop()
        await two.stop()


@on_the_real_kafka
async def test_a_fixed_dead_letter_replayed_is_handled_exactly_once_and_a_second_replay_does_nothing(
    consumers: Consumers, transport: Transport
) -> None:
    poison = ReferralReceived.model_validate(referral_received())
    await publish(transport, poison, event_id="poison-1", correlation_id="case-poison")
    unrelated = ReferralReceived.model_validate(referral_received())
    headers = encode_headers(new_metadata(unrelated, "/tests", event_id="not-json-1"), {})
    await send(transport, Topic.REFERRAL, b"{not json", unrelated.partition_key().encode(), headers)
    letters = await eventually(lambda: _at_least(consumers, 4), what="both consumers to dead-letter both records", within=60)
    assert sorted(letter.event_id or "" for letter in letters) == ["not-json-1", "not-json-1", "poison-1", "poison-1"]

    consumers.version.refuses_referrals = False  # the fix is deployed
    status, out = await consumers.command("replay", "--topic", consumers.dead_letter_topic, "--id", "poison-1")

    assert status == 0, out
    assert len(re.findall(r"^replayed \d+:\d+ event poison-1 ", out, re.MULTILINE)) == 2, out
    assert "replayed 2, already replayed 0, cannot replay 0, not found 0" in out
    assert "refused by this version" in out, "it says why each was dead-lettered"
    for runtime in (consumers.one, consumers.two):

        async def handled_once(runtime: EventRuntime[Version] = runtime) -> bool:
            return await consumers.seen(runtime) == ["poison-1"]

        assert await eventually(handled_once, what="the replayed event handled by each consumer")

    again_status, again = await consumers.command("replay", "--topic", consumers.dead_letter_topic, "--id", "poison-1")
    assert again_status == 0, again
    assert "replayed 0, already replayed 2, cannot replay 0, not found 0" in again

    on_the_topic = [
        record
        for record in await read(transport, Topic.REFERRAL, want=3, within=10)
        if dict(record.headers).get("ce_id") == b"poison-1"
    ]
    assert len(on_the_topic) == 2, "the original and one replay, though two consumers dead-lettered it and it was replayed twice"
    replayed = dict(on_the_topic[1].headers)
    assert replayed[REPLAYED_FROM].decode().startswith(consumers.dead_letter_topic + ":")
    assert replayed["carerelay_correlationid"] == b"case-poison", "the original headers, the case's correlation id with them"
    assert not any(name.startswith("carerelay_dlq_") for name in replayed)
    assert on_the_topic[1].key == on_the_topic[0].key
    assert on_the_topic[1].value == on_the_topic[0].value

    await asyncio.sleep(1.0)  # anything a second replay had sent would have been handled by now
    for runtime in (consumers.one, consumers.two):
        assert await consumers.seen(runtime) == ["poison-1"]
        async with runtime.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM processed_events WHERE event_id = 'poison-1'") == 1

    listed_status, listed = await consumers.command("list", "--topic", consumers.dead_letter_topic)
    assert listed_status == 0
    assert "4 dead letters, 2 replayed" in listed
    assert listed.count("[replayed -> ") == 2
    assert "not valid JSON" in listed
    assert poison.patient.nhs_number not in listed
    assert poison.patient.family_name not in listed


@on_the_real_kafka
async def test_a_dead_letter_replayed_with_its_data_corrected_is_handled_once_and_a_bad_correction_sends_nothing(
    consumers: Consumers, transport: Transport, tmp_path: Path
) -> None:
    consumers.version.refuses_referrals = False  # these consumers take referrals; the record is what is wrong
    good = referral_received()
    broken = {**good, "patient": {**good["patient"], "nhs_number": "123"}}  # a producer's bug
    event = ReferralReceived.model_validate(good)
    headers = encode_headers(new_metadata(event, "/tests", event_id="broken-1"), {})
    await send(transport, Topic.REFERRAL, orjson.dumps(broken), event.partition_key().encode(), headers)
    letters = await eventually(lambda: _at_least(consumers, 2), what="both consumers to dead-letter it", within=60)
    assert all("schema-invalid" in letter.reason and "nhs_number" in letter.reason for letter in letters)

    still_wrong = tmp_path / "still-wrong.json"
    still_wrong.write_bytes(orjson.dumps({**broken, "referral_id": "not-a-uuid"}))
    status, out = await consumers.command(
        "replay", "--topic", consumers.dead_letter_topic, "--id", "broken-1", "--data", str(still_wrong)
    )
    assert status == 2, out
    assert "the corrected data is refused" in out, out
    assert "referral_id" in out, out
    fixed = tmp_path / "fixed.json"
    fixed.write_bytes(orjson.dumps(good))
    status, out = await consumers.command(
        "replay", "--topic", consumers.dead_letter_topic, "--id", "broken-1", "--data", str(fixed)
    )
    assert status == 0, out
    assert "replayed 2, already replayed 0" in out, out

    for runtime in (consumers.one, consumers.two):

        async def handled_once(runtime: EventRuntime[Version] = runtime) -> bool:
            return await consumers.seen(runtime) == ["broken-1"]

        assert await eventually(handled_once, what="the corrected event handled by each consumer")
    on_the_topic = [
        r for r in await read(transport, Topic.REFERRAL, want=2, within=10) if dict(r.headers).get("ce_id") == b"broken-1"
    ]
    assert len(on_the_topic) == 2, "the broken original and one corrected replay; the refused correction sent nothing"
    assert dict(on_the_topic[1].headers)[CORRECTED] == b"true"
    assert orjson.loads(on_the_topic[1].value or b"") == orjson.loads(orjson.dumps(good))


@on_the_real_kafka
async def test_replaying_an_id_that_is_not_there_says_so_and_fails(consumers: Consumers) -> None:
    status, out = await consumers.command("replay", "--topic", consumers.dead_letter_topic, "--id", "no-such-event")
    assert status == 1
    assert "not found: no-such-event" in out


async def _at_least(consumers: Consumers, count: int) -> list[DeadLetter] | None:
    letters = await read_dead_letters(consumers.settings, consumers.dead_letter_topic)
    return letters if len(letters) >= count else None


def test_a_replay_marker_is_told_from_a_dead_letter() -> None:
    assert is_replay_marker([("carerelay_dlq_replayed", b"0:3")])
    assert not is_replay_marker([("carerelay_dlq_reason", b"data is not valid JSON")])

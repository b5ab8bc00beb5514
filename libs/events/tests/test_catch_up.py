"""The backlog a restarted worker must process before its clocks judge a deadline (catch_up.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from carerelay_contract.topics import Topic, topic_name
from carerelay_contract.visit import VisitStarted
from carerelay_events.catch_up import backlog_now, backlog_of, committed_offsets, wait_for_catch_up
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import connection_options
from carerelay_events.transport.base import Transport
from carerelay_testing.broker import publish

A, B, C = TopicPartition("visit", 0), TopicPartition("visit", 1), TopicPartition("referral", 0)


def test_the_backlog_is_what_lies_past_the_groups_committed_offset() -> None:
    backlog = backlog_of(beginnings={A: 0, B: 0, C: 0}, ends={A: 10, B: 4, C: 7}, committed={A: 10, B: 1})
    assert backlog.ends == {B: 4, C: 7}  # A was all processed; C never committed, so all of it waits
    assert backlog.left({A: 10, B: 1}) == 3 + 7


def test_an_empty_or_expired_partition_is_no_backlog() -> None:
    backlog = backlog_of(beginnings={A: 0, B: 50}, ends={A: 0, B: 50}, committed={})
    assert backlog.ends == {}
    assert backlog.left({}) == 0


def test_the_group_has_caught_up_when_it_committed_past_every_end_seen_at_start() -> None:
    backlog = backlog_of(beginnings={A: 0, B: 0}, ends={A: 10, B: 4}, committed={A: 2})
    assert backlog.left({A: 9, B: 4}) == 1
    assert backlog.left({A: 10, B: 4}) == 0
    assert backlog.left({A: 25, B: 30}) == 0  # records that came later are not waited for


on_the_real_kafka = pytest.mark.parametrize("transport", [pytest.param("kafka", marks=pytest.mark.integration)], indirect=True)


@on_the_real_kafka
async def test_a_group_is_waited_for_until_it_has_committed_past_what_was_waiting_when_the_wait_began(
    transport: Transport,
) -> None:
    settings = KafkaSettings(topic_prefix=transport.topic_prefix)
    topic = topic_name(Topic.VISIT, transport.topic_prefix)
    group = f"{transport.topic_prefix}carerelay-catching-up"
    for _ in range(5):
        await publish(transport, VisitStarted(episode_id=uuid4(), visit_id=uuid4(), staff_id=uuid4(), at=datetime.now(UTC)))
    backlog = await backlog_now(settings, group, [topic])
    assert backlog.left({}) == 5, "five records wait for a group that has committed nothing"

    waiting = asyncio.create_task(wait_for_catch_up(settings, group, [topic], limit_seconds=30, every_seconds=0.2))
    await asyncio.sleep(1.0)
    assert not waiting.done(), "it waits while the group has processed none of them"
    consumer = AIOKafkaConsumer(
        topic, **connection_options(settings), group_id=group, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        read, tries = 0, 0
        while read < 5:
            tries += 1
            assert tries < 30, f"read {read} of the five"
            read += sum(len(records) for records in (await consumer.getmany(timeout_ms=1000)).values())
        await consumer.commit()  # processed: the group's offsets past every record that waited
    finally:
        await consumer.stop()
    assert await asyncio.wait_for(waiting, 10) is True
    await publish(transport, VisitStarted(episode_id=uuid4(), visit_id=uuid4(), staff_id=uuid4(), at=datetime.now(UTC)))
    assert (await backlog_now(settings, group, [topic])).left(await committed_offsets(settings, group)) == 1


@on_the_real_kafka
async def test_a_wait_that_never_catches_up_gives_up_at_its_limit(transport: Transport) -> None:
    settings = KafkaSettings(topic_prefix=transport.topic_prefix)
    topic = topic_name(Topic.VISIT, transport.topic_prefix)
    await publish(transport, VisitStarted(episode_id=uuid4(), visit_id=uuid4(), staff_id=uuid4(), at=datetime.now(UTC)))
    assert (
        await wait_for_catch_up(settings, f"{transport.topic_prefix}stalled", [topic], limit_seconds=1.5, every_seconds=0.2)
        is False
    )

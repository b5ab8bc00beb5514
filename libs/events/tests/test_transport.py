"""The transport contract (`transport.base`), proved by the same test bodies on the in-memory broker
and on the real Kafka: per-key order, a new group reads from the start, offsets move only when
committed (so a member that stops early has its records delivered again), and a group's members
share the partitions between them."""

from __future__ import annotations

import asyncio
from collections import Counter

from carerelay_contract.topics import Topic, topic_name
from carerelay_events.transport.base import Consumer, Transport


async def _drain(consumer: Consumer, want: int, within: float = 30.0) -> list[tuple[object, int, bytes | None]]:
    """(partition, offset, value) of records fetched until `want` have come (or `within` seconds pass)."""
    got: list[tuple[object, int, bytes | None]] = []
    deadline = asyncio.get_running_loop().time() + within
    while len(got) < want and asyncio.get_running_loop().time() < deadline:
        for partition, records in (await consumer.getmany(timeout_ms=200)).items():
            got.extend((partition, record.offset, record.value) for record in records)
    return got


async def test_one_keys_records_keep_their_order_on_one_partition(transport: Transport) -> None:
    topic = topic_name(Topic.VISIT, transport.topic_prefix)
    producer = transport.producer("contract-tests")
    await producer.start()
    try:
        for n in range(20):
            await producer.send_and_wait(topic, value=str(n).encode(), key=b"episode-1")
    finally:
        await producer.stop()
    consumer = transport.consumer(f"{transport.topic_prefix}order", [topic])
    await consumer.start()
    try:
        got = await _drain(consumer, 20)
    finally:
        await consumer.stop()
    assert [value for _, _, value in got] == [str(n).encode() for n in range(20)]
    assert len({partition for partition, _, _ in got}) == 1


async def test_records_are_delivered_again_until_their_offsets_are_committed(transport: Transport) -> None:
    topic = topic_name(Topic.REFERRAL, transport.topic_prefix)
    group = f"{transport.topic_prefix}redelivery"
    producer = transport.producer("contract-tests")
    await producer.start()
    try:
        for n in range(6):
            await producer.send_and_wait(topic, value=f"r{n}".encode(), key=f"episode-{n}".encode())
    finally:
        await producer.stop()

    first = transport.consumer(group, [topic])
    await first.start()
    try:
        seen = await _drain(first, 6)
        # Commit only the first record of each partition, as a member that stopped mid-batch would.
        committed: dict[object, int] = {}
        for partition, offset, _ in sorted(seen, key=lambda item: item[1]):
            committed.setdefault(partition, offset + 1)
        await first.commit(committed)
    finally:
        await first.stop()
    assert sorted(value or b"" for _, _, value in seen) == [f"r{n}".encode() for n in range(6)]

    second = transport.consumer(group, [topic])
    await second.start()
    try:
        again = await _drain(second, 6 - len(committed), within=15)
        extra = await _drain(second, 1, within=1)
    finally:
        await second.stop()
    delivered_first = {(partition, offset) for partition, offset in committed.items()}
    redelivered = {(partition, offset) for partition, offset, _ in again}
    assert len(again) == 6 - len(committed), "exactly the uncommitted records come again"
    assert not extra
    assert not {(partition, offset - 1) for partition, offset in delivered_first} & redelivered


async def test_a_groups_members_share_its_partitions_and_each_record_reaches_one_member(transport: Transport) -> None:
    topic = topic_name(Topic.EPISODE, transport.topic_prefix)
    group = f"{transport.topic_prefix}sharing"
    one, two = transport.consumer(group, [topic]), transport.consumer(group, [topic])
    await one.start()
    await two.start()
    try:
        # Let the group settle: both members hold partitions, none held twice.
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            await one.getmany(timeout_ms=100)
            await two.getmany(timeout_ms=100)
            if one.assignment() and two.assignment():
                break
        assert one.assignment()
        assert two.assignment()
        assert not one.assignment() & two.assignment()

        producer = transport.producer("contract-tests")
        await producer.start()
        try:
            for n in range(30):
                await producer.send_and_wait(topic, value=f"e{n}".encode(), key=f"episode-{n}".encode())
        finally:
            await producer.stop()
        got: list[tuple[object, int, bytes | None]] = []
        deadline = asyncio.get_running_loop().time() + 30
        while len(got) < 30 and asyncio.get_running_loop().time() < deadline:
            got += await _drain(one, 1, within=0.3)
            got += await _drain(two, 1, within=0.3)
    finally:
        await one.stop()
        await two.stop()
    counts = Counter(value for _, _, value in got)
    assert sorted(value or b"" for value in counts) == sorted(f"e{n}".encode() for n in range(30))
    assert set(counts.values()) == {1}

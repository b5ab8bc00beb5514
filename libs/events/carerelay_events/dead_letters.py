"""The dead-letter topic: where a message that can never succeed goes, with the reason; and the
operator's command to list its dead letters and replay them once the cause is fixed.

    python -m carerelay_events.dead_letters list   [--topic <dead-letter topic>]
    python -m carerelay_events.dead_letters replay [--topic <dead-letter topic>] (--id <id> ... | --all)
    python -m carerelay_events.dead_letters replay [--topic <dead-letter topic>] --id <id> --data <file>

A dead letter keeps the original key, value and headers, plus `carerelay_dlq_reason`,
`carerelay_dlq_original_topic`, `_original_partition`, `_original_offset` and `_consumer`.

`replay` publishes each chosen dead letter again to its original topic, with its original key,
value and headers (so its `ce_source` and `ce_id`: a consumer that had handled it finds it in its
inbox and does nothing twice) plus `carerelay_replayed_from`; then it appends a **replay marker** to
the dead-letter topic (a record with the header `carerelay_dlq_replayed`, naming the dead letter's
`partition:offset`), so a second replay skips it. One original record dead-lettered by several
consumers is published once. A crash between the two sends publishes it again on the next replay,
which the inboxes absorb. `--id` takes an event id (`ce_id`) or a dead letter's `partition:offset`.
The topic defaults to the dead-letter topic under `CARERELAY_KAFKA_TOPIC_PREFIX`; the cluster is
`CARERELAY_KAFKA_*`, as for the services.

`--data FILE` replays one dead letter with its data corrected (a producer's bug, a field a person can
fix): the file holds the event's corrected `data` as JSON. It is checked against the event catalogue
before anything is sent (a still-invalid correction is refused, saying which field and why, and nothing
is published); the headers, and so the event's id, stay the original's, with `carerelay_replay_corrected`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import Counter

from carerelay_contract.envelope import decode_event, decode_metadata
from carerelay_contract.errors import InvalidMessage
from carerelay_contract.topics import Topic, topic_name

from .settings import KafkaSettings
from .transport.aiokafka import connection_options, create_producer
from .transport.base import InboundRecord, Producer

DEAD_LETTERED = Counter(
    "carerelay_dead_letters_total",
    "Messages published to the dead-letter topic, by consumer and original topic",
    ["consumer", "topic"],
)

DLQ_HEADER_PREFIX = "carerelay_dlq_"
REASON = "carerelay_dlq_reason"
ORIGINAL_TOPIC = "carerelay_dlq_original_topic"
ORIGINAL_PARTITION = "carerelay_dlq_original_partition"
ORIGINAL_OFFSET = "carerelay_dlq_original_offset"
CONSUMER = "carerelay_dlq_consumer"
REPLAYED = "carerelay_dlq_replayed"
"""On a replay marker: the `partition:offset` of the dead letter it says was replayed."""
REPLAYED_TO = "carerelay_dlq_replayed_to"
CORRECTED = "carerelay_replay_corrected"
"""On a replayed record whose data an operator corrected (`--data`)."""
REPLAYED_FROM = "carerelay_replayed_from"
"""On a replayed record: `<dead-letter topic>:<partition>:<offset>` it was replayed from."""


class DeadLetters:
    """Publishes a message that can never succeed, with its original key, value and headers plus the reason."""

    def __init__(self, producer: Producer, consumer: str, topic_prefix: str = "") -> None:
        self.producer = producer
        self.consumer = consumer
        self.topic = topic_name(Topic.DEAD_LETTER, topic_prefix)

    async def publish(self, record: InboundRecord, reason: str) -> None:
        headers = [
            *record.headers,
            (REASON, reason.encode()),
            (ORIGINAL_TOPIC, record.topic.encode()),
            (ORIGINAL_PARTITION, str(record.partition).encode()),
            (ORIGINAL_OFFSET, str(record.offset).encode()),
            (CONSUMER, self.consumer.encode()),
        ]
        await self.producer.send_and_wait(self.topic, value=record.value, key=record.key, headers=headers)
        DEAD_LETTERED.labels(self.consumer, record.topic).inc()


class NoSuchTopic(LookupError):
    pass


def is_replay_marker(headers: Sequence[tuple[str, bytes | None]]) -> bool:
    """True for a replay marker on the dead-letter topic (not a dead letter: nothing to tell anyone)."""
    return any(name == REPLAYED for name, _ in headers)


@dataclass(frozen=True)
class DeadLetter:
    """One dead letter as read from the dead-letter topic."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    """The original headers, without the dead-letter ones."""
    reason: str
    consumer: str
    original_topic: str | None
    original_partition: int | None
    original_offset: int | None
    replayed_to: str | None = None
    """Where a replay sent it (`topic:partition:offset`), when it has been replayed."""

    @property
    def position(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def event_id(self) -> str | None:
        return _header(self.headers, "ce_id")

    @property
    def event_type(self) -> str | None:
        return _header(self.headers, "ce_type")

    @property
    def origin(self) -> tuple[str, int, int] | str:
        """The original record: the same for every consumer that dead-lettered it."""
        if self.original_topic is None or self.original_partition is None or self.original_offset is None:
            return self.position
        return (self.original_topic, self.original_partition, self.original_offset)

    def describe(self) -> str:
        """One line naming it by ids, type and reason only (never the key or the data)."""
        source = f"{self.original_topic}[{self.original_partition}]@{self.original_offset}" if self.original_topic else "?"
        return (
            f"{self.position} event {self.event_id or '(no ce_id)'} {self.event_type or '(no ce_type)'} from {source}, "
            f"dead-lettered by {self.consumer}: {self.reason}"
        )


@dataclass
class ReplayReport:
    replayed: list[tuple[DeadLetter, str]] = field(default_factory=list)
    """Each dead letter replayed now, with where it went (`topic:partition:offset`)."""
    already_replayed: list[DeadLetter] = field(default_factory=list)
    cannot_replay: list[DeadLetter] = field(default_factory=list)
    """Records without an original topic (not written by `DeadLetters`)."""
    not_found: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"replayed {letter.describe()} -> {to}" for letter, to in self.replayed]
        out += [f"already replayed {letter.describe()} -> {letter.replayed_to}" for letter in self.already_replayed]
        out += [f"cannot replay (no original topic) {letter.describe()}" for letter in self.cannot_replay]
        out += [f"not found: {wanted}" for wanted in self.not_found]
        out.append(
            f"replayed {len(self.replayed)}, already replayed {len(self.already_replayed)}, "
            f"cannot replay {len(self.cannot_replay)}, not found {len(self.not_found)}"
        )
        return out


def _header(headers: Sequence[tuple[str, bytes | None]], name: str) -> str | None:
    for key, value in headers:
        if key == name and value is not None:
            return value.decode(errors="replace")
    return None


def _as_int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


async def read_dead_letters(settings: KafkaSettings, topic: str) -> list[DeadLetter]:
    """Every dead letter on `topic` now, partition by partition, each with where a replay sent it (if
    one has). Reads from the start to the end without a consumer group: it commits nothing."""
    consumer = AIOKafkaConsumer(
        topic,
        **connection_options(settings),
        group_id=None,  # every partition of the topic, and nothing committed
        client_id="carerelay-dead-letters",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        partitions: list[TopicPartition] = sorted(consumer.assignment(), key=lambda tp: tp.partition)
        if not partitions:
            raise NoSuchTopic(f"no topic {topic!r} on {settings.bootstrap_servers}")
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        records: list[Any] = []
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            for tp, batch in (await consumer.getmany(*remaining, timeout_ms=1000)).items():
                records.extend(record for record in batch if record.offset < ends[tp])
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    replayed_to: dict[str, str] = {}
    letters: list[DeadLetter] = []
    for record in records:
        headers = tuple((name, value or b"") for name, value in record.headers)
        if is_replay_marker(headers):
            replayed_to[_header(headers, REPLAYED) or ""] = _header(headers, REPLAYED_TO) or "?"
            continue
        letters.append(
            DeadLetter(
                partition=record.partition,
                offset=record.offset,
                key=record.key,
                value=record.value,
                headers=tuple((n, v) for n, v in headers if not n.startswith(DLQ_HEADER_PREFIX) and n != REPLAYED_FROM),
                reason=_header(headers, REASON) or "(no reason given)",
                consumer=_header(headers, CONSUMER) or "(unknown consumer)",
                original_topic=_header(headers, ORIGINAL_TOPIC),
                original_partition=_as_int(_header(headers, ORIGINAL_PARTITION)),
                original_offset=_as_int(_header(headers, ORIGINAL_OFFSET)),
            )
        )
    return [
        replace(letter, replayed_to=replayed_to[letter.position]) if letter.position in replayed_to else letter
        for letter in sorted(letters, key=lambda letter: (letter.partition, letter.offset))
    ]


def choose(letters: Sequence[DeadLetter], ids: Sequence[str] | None) -> tuple[list[DeadLetter], list[str]]:
    """The dead letters `ids` name (an event id or a `partition:offset` each; None: all), and the ids naming none."""
    if ids is None:
        return list(letters), []
    chosen = [letter for letter in letters if letter.event_id in ids or letter.position in ids]
    named = {name for letter in chosen for name in (letter.event_id, letter.position)}
    return chosen, [wanted for wanted in ids if wanted not in named]


class CorrectionRefused(Exception):
    """A `--data` correction that cannot be replayed (still invalid, or not for exactly one record)."""


def corrected_value(letter: DeadLetter, data: bytes) -> bytes:
    """`data` as the value of `letter` replayed, once the catalogue accepts it under the letter's headers."""
    try:
        decode_event(decode_metadata(letter.headers), data)
    except InvalidMessage as invalid:
        raise CorrectionRefused(f"the corrected data is refused: {invalid}") from invalid
    return data


async def replay(settings: KafkaSettings, topic: str, ids: Sequence[str] | None, data: bytes | None = None) -> ReplayReport:
    """Replay the dead letters on `topic` that `ids` name (None: every one), once each; say what was done.
    With `data`, the one record they name is replayed with that data instead (CorrectionRefused, sending
    nothing, when it is still invalid or they name more or less than one record)."""
    chosen, not_found = choose(await read_dead_letters(settings, topic), ids)
    report = ReplayReport(not_found=not_found)
    pending: dict[tuple[str, int, int] | str, list[DeadLetter]] = {}
    for letter in chosen:
        if letter.replayed_to is not None:
            report.already_replayed.append(letter)
        elif letter.original_topic is None:
            report.cannot_replay.append(letter)
        else:
            pending.setdefault(letter.origin, []).append(letter)
    corrected: bytes | None = None
    if data is not None:
        if len(pending) != 1:
            raise CorrectionRefused(f"--data corrects one record; the ids name {len(pending)} not yet replayed")
        corrected = corrected_value(next(iter(pending.values()))[0], data)
    if not pending:
        return report
    producer = create_producer(settings, "carerelay-dead-letter-replay")
    await producer.start()
    try:
        for letters in pending.values():
            first = letters[0]
            headers = [*first.headers, (REPLAYED_FROM, f"{topic}:{first.position}".encode())]
            sent = await producer.send_and_wait(
                first.original_topic or "",
                value=first.value if corrected is None else corrected,
                key=first.key,
                headers=headers if corrected is None else [*headers, (CORRECTED, b"true")],
            )
            to = f"{sent.topic}:{sent.partition}:{sent.offset}"
            for letter in letters:  # each consumer's dead letter of that record is now replayed
                marker = {"replayed": letter.position, "to": to, "at": datetime.now(UTC).isoformat()}
                await producer.send_and_wait(
                    topic,
                    value=orjson.dumps(marker),
                    key=letter.key,
                    headers=[(REPLAYED, letter.position.encode()), (REPLAYED_TO, to.encode())],
                )
                report.replayed.append((letter, to))
    finally:
        await producer.stop()
    return report


def main(argv: Sequence[str] | None = None) -> int:
    settings = KafkaSettings()
    parser = argparse.ArgumentParser(prog="python -m carerelay_events.dead_letters", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="print every dead letter, and whether it has been replayed")
    replaying = commands.add_parser("replay", help="publish dead letters again to their original topics, once each")
    for command in (listing, replaying):
        command.add_argument(
            "--topic", default=topic_name(Topic.DEAD_LETTER, settings.topic_prefix), help="the dead-letter topic"
        )
    which = replaying.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", action="append", dest="ids", metavar="ID", help="an event id (ce_id) or partition:offset")
    which.add_argument("--all", action="store_true", help="every dead letter not replayed yet")
    replaying.add_argument("--data", type=Path, metavar="FILE", help="the corrected data (JSON) for the one record --id names")
    args = parser.parse_args(argv)
    data_file: Path | None = getattr(args, "data", None)  # `replay`'s only
    if data_file is not None and (args.all or len(args.ids or []) != 1):
        parser.error("--data goes with exactly one --id")
    try:
        if args.command == "list":
            letters = asyncio.run(read_dead_letters(settings, args.topic))
            for letter in letters:
                print(letter.describe() + (f" [replayed -> {letter.replayed_to}]" if letter.replayed_to else ""))
            print(f"{len(letters)} dead letters, {sum(1 for letter in letters if letter.replayed_to)} replayed")
            return 0
        data = data_file.read_bytes() if data_file is not None else None
        report = asyncio.run(replay(settings, args.topic, None if args.all else args.ids, data))
    except (NoSuchTopic, CorrectionRefused, OSError) as refused:
        print(refused, file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 1 if report.not_found else 0


if __name__ == "__main__":
    sys.exit(main())

"""Issue 14's scenario 5: poison among the good records, at volume, and the operator's replay.

While referrals stream through the whole system on the three-broker cluster (tests/fault/stream.py),
once half are posted, poison goes onto the visit topic among scheduling's own records, each keyed to an
episode of the stream (so it sits on a partition with real traffic): data that is not JSON, a
`visit.started` missing its time (a producer's bug, for a visit the nurse really started), a stranger's
event type, a record with no CloudEvents headers, and a CareRelay type this version does not know yet (a
newer producer's, which a rolling deploy must not dead-letter). Every consumer of the topic must
dead-letter each of the first four with its reason, skip the fifth, and move on: the stream's counts are
all as without poison. Then the operator replays the `visit.started` with its data corrected (the
project's command, `python -m carerelay_events.dead_letters replay --id ... --data ...`): the nurse's
arrival reaches triage, whose clock says met, once; a second replay sends nothing."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import orjson
import pytest

from carerelay_contract.envelope import encode_headers, new_metadata
from carerelay_contract.topics import Topic
from carerelay_contract.visit import VisitStarted
from carerelay_events.dead_letters import read_dead_letters
from carerelay_infra.kafka_cluster import KafkaCluster

from ..support.kafka import produce_raw, read_all
from ..support.system import RunningSystem
from ..support.waiting import eventually
from .stream import fault_system, run_stream

N = int(os.environ.get("CARERELAY_FAULT_REFERRALS", "1000"))
MET = "uk.nhs.carerelay.response-clock.met.v1"

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


async def test_poison_among_good_records_is_dead_lettered_with_its_reason_and_a_corrected_replay_is_handled_once(
    cluster: KafkaCluster, tmp_path: Path
) -> None:
    sent: dict[str, Any] = {}

    async def poison(system: RunningSystem) -> str:
        async def assigned() -> list[Any] | None:
            rows = await system.query(
                "scheduling",
                """
                SELECT visit_id, episode_id, staff_id FROM visits
                WHERE purpose = 'first-response' AND status = 'assigned' ORDER BY created_at LIMIT 5
                """,
            )
            return rows if len(rows) == 5 else None

        rows = await eventually(assigned, what="five first visits assigned")
        topic = system.topic(Topic.VISIT)
        started = [
            VisitStarted(episode_id=row["episode_id"], visit_id=row["visit_id"], staff_id=row["staff_id"], at=datetime.now(UTC))
            for row in rows
        ]
        for name, event in zip(("not-json", "invalid", "stranger", "headerless", "newer"), started, strict=True):
            sent[name] = event
        sent["fixed"] = started[1].model_dump(mode="json")

        def headers(event: VisitStarted, event_id: str, ce_type: str | None = None) -> list[tuple[str, bytes]]:
            encoded = encode_headers(new_metadata(event, "/carerelay/scheduling", event_id=event_id), {})
            return [(k, ce_type.encode() if k == "ce_type" and ce_type else v) for k, v in encoded]

        ids = {name: f"poison-{name}-{uuid4().hex[:8]}" for name in sent if name != "fixed"}
        sent["ids"] = ids
        missing_at = {k: v for k, v in sent["fixed"].items() if k != "at"}
        records = [
            (b'{"visit_id": ', headers(started[0], ids["not-json"])),
            (orjson.dumps(missing_at), headers(started[1], ids["invalid"])),
            (orjson.dumps(sent["fixed"]), headers(started[2], ids["stranger"], "com.example.visit.begun")),
            (orjson.dumps(started[3].model_dump(mode="json")), [("content-type", b"application/json")]),
            (orjson.dumps(sent["fixed"]), headers(started[4], ids["newer"], "uk.nhs.carerelay.visit.teleported.v1")),
        ]
        for (value, record_headers), event in zip(records, started, strict=True):
            await produce_raw(system.kafka, topic, value, event.partition_key().encode(), record_headers)
        return "five poison records on the visit topic among scheduling's"

    async with fault_system(cluster, N) as system:
        report = await run_stream(system, N, poison, "5: poison among good records, and a corrected replay")
        print(report)
        letters = await read_dead_letters(system.kafka, system.topic(Topic.DEAD_LETTER))
        ids: dict[str, str] = sent["ids"]
        by_poison: dict[str, set[str]] = defaultdict(set)
        reasons: dict[str, set[str]] = defaultdict(set)
        for letter in letters:
            name = next((n for n, i in ids.items() if i == letter.event_id), "headerless" if letter.event_id is None else "?")
            by_poison[name].add(letter.consumer)
            reasons[name].add(letter.reason)
        consumers = by_poison["not-json"]
        assert {"triage", "referral", "notifications"} <= {c.rsplit("carerelay-", 1)[-1] for c in consumers}, consumers
        assert set(by_poison) == {"not-json", "invalid", "stranger", "headerless"}, dict(by_poison)
        assert all(by_poison[name] == consumers for name in by_poison), "each dead-lettered by every consumer of the topic"
        assert all(len(reasons[name]) == 1 for name in reasons), dict(reasons)
        assert next(iter(reasons["not-json"])).startswith("data is not valid JSON")
        assert "schema-invalid uk.nhs.carerelay.visit.started.v1: at: Field required" in reasons["invalid"]
        assert "not a CareRelay event type" in next(iter(reasons["stranger"]))
        assert "missing CloudEvents header" in next(iter(reasons["headerless"]))
        report.assert_nothing_lost_duplicated_or_stuck(N, dead_letters=4 * len(consumers))

        fixed = tmp_path / "fixed.json"
        fixed.write_bytes(orjson.dumps(sent["fixed"]))
        status, out = await _replay(system, "--id", ids["invalid"], "--data", str(fixed))
        assert status == 0, out
        assert f"replayed {len(consumers)}, already replayed 0" in out, out
        episode = str(sent["invalid"].episode_id).encode()

        async def met() -> list[str] | None:
            events = await read_all(system.kafka, system.topic(Topic.RESPONSE_CLOCK))
            found = {m.headers.get("ce_id", "") for m in events if m.ce_type == MET and m.key == episode}
            return sorted(found) or None

        assert len(await eventually(met, what="the corrected arrival to stop the clock, met")) == 1
        status, again = await _replay(system, "--id", ids["invalid"], "--data", str(fixed))
        assert status == 2, again
        assert "corrects one record; the ids name 0 not yet replayed" in again
        await asyncio.sleep(2.0)
        assert len(await met() or []) == 1, "met once"
        after = [letter for letter in await read_dead_letters(system.kafka, system.topic(Topic.DEAD_LETTER))]
        assert len(after) == len(letters), "the corrected record was handled, not dead-lettered again"


async def _replay(system: RunningSystem, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "carerelay_events.dead_letters",
        "replay",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={
            **os.environ,
            "CARERELAY_KAFKA_BOOTSTRAP_SERVERS": system.kafka.bootstrap_servers,
            "CARERELAY_KAFKA_TOPIC_PREFIX": system.kafka.topic_prefix,
        },
    )
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode()

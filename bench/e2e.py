"""The whole system under load, end to end, on this machine's Kafka and PostgreSQL.

    .venv/bin/python bench/e2e.py [--quick] [--hold 60] [--out bench/results-e2e]

The bench starts the system itself: `python -m carerelay_stack run` (what `make run` runs) with its own
data dir (a temporary folder), its own ports (18080 for the web origin, 181xx for the services), its own
topic prefix and database names, and CARERELAY_KEEP_INFRA=1, so it runs beside a developer's `make run`
and leaves Kafka and PostgreSQL up; it drops its topics and databases at the end. Kafka and PostgreSQL
must already be running (`make infra-up`). Everything is driven through the one web origin (nginx), as a
browser would: signed in at the dev issuer as the hub's call handler (posts referrals, watches the live
stream) and clinician (accepts them).

It prints, and writes as bench/results-e2e.json, .txt and .png (latency against load):
- post -> triaged: a referral POSTed until its `triage.completed` arrives on the hub's live stream,
  p50/p95/p99 at 10, 50 and 200 referrals/s (open loop: posts leave on schedule whatever the answers);
- the floor: raw aiokafka produce -> consume, one hop, acks=all and idempotence, on the same broker at
  the same rates, and each post -> triaged p50 as a ratio to it;
- accept -> first visit decided: a clinician's accept until the episode's first `visit.assigned` or
  `visit.unassignable` (with its reason, read from the visit topic) on the live stream, at 1/s; and a
  burst of 100 accepts within 10 s, timed until the last is decided;
- the sustained rate: steps of rising rates, each held for --hold seconds, while the consumer groups'
  lag (from the Kafka admin API: committed offsets against the partitions' ends) is sampled each
  second; the highest step whose lag stayed flat (e2e_figures.lag_flat), with one instance of each
  service and then with two (CARERELAY_INSTANCES=2: a second run of the stack);
- memory: PSS of every process (each service, its faust worker, nginx, the issuer, Kafka, PostgreSQL with
  all its backends) at idle and at the end of the load.

`--quick` is a smoke test: short holds, fewer rates, a burst of 20. The CPU may be shared (other work on
the machine): the figures are as noisy as the machine is.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from e2e_figures import lag_flat, render, summary

from carerelay_contract.envelope import decode
from carerelay_contract.topics import Topic, topic_name
from carerelay_contract.visit import VisitUnassignable
from carerelay_events.admin import all_topic_names
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import connection_options
from carerelay_stack import pidfiles
from carerelay_stack.provision import drop_database
from carerelay_stack.settings import REPO, SERVICES, StackSettings
from carerelay_stack.sign_in import user_token
from carerelay_testing.factories import referral_submission

HANDLER, CLINICIAN = "sophie.reid", "ruth.ellis"
PORT_BASE = 18000
DECIDED = ("visit.assigned", "visit.unassignable")


@dataclass
class Stack:
    """One run of `python -m carerelay_stack run`, on its own data dir, ports, topics and databases."""

    instances: int
    run_id: str = field(default_factory=lambda: uuid4().hex[:6])
    data: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="carerelay-e2e-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        ports = {
            "CARERELAY_ISSUER_PORT": 100,
            "CARERELAY_REFERRAL_PORT": 101,
            "CARERELAY_TRIAGE_PORT": 102,
            "CARERELAY_SCHEDULING_PORT": 103,
            "CARERELAY_NOTIFICATIONS_PORT": 104,
            "CARERELAY_WEB_PORT": 80,
            "CARERELAY_MAILBOX_PORT": 26,
            "CARERELAY_MAILBOX_SMTP_PORT": 25,
        }
        return {
            **{name: str(PORT_BASE + offset) for name, offset in ports.items()},
            "CARERELAY_DATA_DIR": str(self.data),
            "CARERELAY_KEEP_INFRA": "1",
            "CARERELAY_INSTANCES": str(self.instances),
            "CARERELAY_KAFKA_TOPIC_PREFIX": self.topic_prefix,
            "CARERELAY_PG_DATABASE_PREFIX": f"carerelay_e2e{self.run_id}_",
            "CARERELAY_LOG_LEVEL": "WARNING",
        }

    @property
    def topic_prefix(self) -> str:
        return f"e2e{self.run_id}."

    @property
    def kafka(self) -> KafkaSettings:
        return KafkaSettings(topic_prefix=self.topic_prefix)

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{PORT_BASE + 80}"

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{PORT_BASE + 100}"

    def start(self, timeout: float = 300) -> None:
        log = (self.data / "stack.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "carerelay_stack", "run"], env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while "CareRelay is up" not in (self.data / "stack.log").read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the stack did not come up; see {self.data / 'stack.log'}")
            time.sleep(0.5)

    async def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(240)
        stack = StackSettings(database_prefix=f"carerelay_e2e{self.run_id}_")
        for service in SERVICES:
            await drop_database(stack.admin_url(), stack.service_role(service))
        admin = AIOKafkaAdminClient(**connection_options(self.kafka))
        await admin.start()
        try:
            await admin.delete_topics(all_topic_names(self.kafka))
        finally:
            await admin.close()

    def groups(self) -> list[str]:
        return [f"{self.topic_prefix}carerelay-{service}" for service in SERVICES]


class LiveStream:
    """The hub's live stream through the web origin: when each (type, episode) first arrived."""

    def __init__(self, web: str, token: str) -> None:
        self.web, self.token = web, token
        self.first: dict[tuple[str, str], float] = {}
        self.visits: dict[tuple[str, str], str] = {}
        self._task: asyncio.Task[None] | None = None
        self._open = asyncio.Event()

    async def open(self) -> LiveStream:
        self._task = asyncio.create_task(self._read())
        await asyncio.wait_for(self._open.wait(), 15)
        return self

    async def _read(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with (
            httpx.AsyncClient(base_url=self.web, timeout=httpx.Timeout(10, read=None)) as client,
            client.stream("GET", "/api/notifications/stream", headers=headers) as response,
        ):
            self._open.set()
            kind = ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data = orjson.loads(line[5:])
                    key = (kind, data["episode_id"])
                    if key not in self.first:
                        self.first[key] = time.perf_counter()
                        if data.get("visit_id"):
                            self.visits[key] = data["visit_id"]

    async def wait(self, keys: list[tuple[str, str]], within: float) -> None:
        deadline = time.perf_counter() + within
        while time.perf_counter() < deadline and not all(key in self.first for key in keys):  # noqa: ASYNC110 (the reader fills it)
            await asyncio.sleep(0.05)

    def decided(self, episode: str) -> tuple[str, float] | None:
        found = [(self.first[(kind, episode)], kind) for kind in DECIDED if (kind, episode) in self.first]
        return (min(found)[1], min(found)[0]) if found else None

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


async def open_loop(rate: float, seconds: float, send: Callable[[], Coroutine[Any, Any, None]]) -> float:
    """Call `send` `rate` times a second for `seconds`, on schedule (not waiting for answers); the
    achieved rate of sends started."""
    count = int(rate * seconds)
    began = time.perf_counter()
    tasks = []
    for n in range(count):
        delay = began + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send()))
    elapsed = time.perf_counter() - began
    await asyncio.gather(*tasks, return_exceptions=True)
    return count / elapsed if elapsed > 0 else float(count)


class Hub:
    """Posting referrals and accepting them, through the web origin."""

    def __init__(self, stack: Stack, handler: str, clinician: str) -> None:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
        self.handler = httpx.AsyncClient(
            base_url=stack.web, headers={"Authorization": f"Bearer {handler}"}, timeout=60, limits=limits
        )
        self.clinician = httpx.AsyncClient(base_url=stack.web, headers={"Authorization": f"Bearer {clinician}"}, timeout=60)
        self.posted: dict[str, float] = {}
        self.failures = 0

    async def post(self) -> str | None:
        began = time.perf_counter()
        try:
            response = await self.handler.post("/api/referral/referrals", json=referral_submission())
        except httpx.HTTPError:
            self.failures += 1
            return None
        if response.status_code != 201:
            self.failures += 1
            return None
        episode: str = response.json()["episode_id"]
        referral: str = response.json()["referral_id"]
        self.posted[episode] = began
        return f"{episode} {referral}"

    async def accept(self, referral_id: str) -> bool:
        response = await self.clinician.post(f"/api/referral/referrals/{referral_id}/accept", json={})
        return response.status_code == 200

    async def close(self) -> None:
        await self.handler.aclose()
        await self.clinician.aclose()


async def post_triaged(hub: Hub, stream: LiveStream, rate: float, seconds: float) -> dict[str, Any]:
    before = set(hub.posted)

    async def send() -> None:
        await hub.post()

    achieved = await open_loop(rate, seconds, send)
    episodes = [episode for episode in hub.posted if episode not in before]
    await stream.wait([("triage.completed", episode) for episode in episodes], within=30)
    latencies = [
        (stream.first[("triage.completed", e)] - hub.posted[e]) * 1000
        for e in episodes
        if ("triage.completed", e) in stream.first
    ]
    return {**summary(latencies, sent=int(rate * seconds)), "achieved_rate": round(achieved, 1), "latencies_ms": latencies}


async def accept_decided(
    hub: Hub, stream: LiveStream, kafka: KafkaSettings, rate: float, count: int, wait: float
) -> dict[str, Any]:
    """`count` referrals, each accepted once triaged; accepts leave at `rate`/s; time to first decision."""
    referrals = [answer for answer in await asyncio.gather(*(hub.post() for _ in range(count))) if answer]
    pairs = [tuple(answer.split()) for answer in referrals]
    await stream.wait([("triage.completed", episode) for episode, _ in pairs], within=60)
    accepted: dict[str, float] = {}
    index = iter(pairs)

    async def send() -> None:
        episode, referral = next(index)
        began = time.perf_counter()
        if await hub.accept(referral):
            accepted[episode] = began

    await open_loop(rate, len(pairs) / rate, send)
    last_accept = max(accepted.values(), default=time.perf_counter())
    deadline = time.perf_counter() + wait
    while time.perf_counter() < deadline and not all(stream.decided(e) for e in accepted):  # noqa: ASYNC110 (the reader fills it)
        await asyncio.sleep(0.1)
    latencies, outcomes = [], Counter[str]()
    for episode, began in accepted.items():
        if decided := stream.decided(episode):
            outcomes[decided[0]] += 1
            latencies.append((decided[1] - began) * 1000)
    reasons = await unassignable_reasons(kafka, set(accepted))
    decided_times = [found[1] for e in accepted if (found := stream.decided(e))]
    return {
        **summary(latencies, sent=len(accepted)),
        "outcomes": dict(outcomes),
        "unassignable_reasons": reasons,
        "accepting_s": last_accept - min(accepted.values(), default=last_accept),
        "decided_after_last_ms": (max(decided_times) - last_accept) * 1000 if len(decided_times) == len(accepted) else None,
    }


async def unassignable_reasons(kafka: KafkaSettings, episodes: set[str]) -> dict[str, int]:
    """Why the episodes' visits were unassignable, from the visit topic (the stream carries ids only)."""
    consumer = AIOKafkaConsumer(
        topic_name(Topic.VISIT, kafka.topic_prefix),
        **connection_options(kafka),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    reasons: Counter[str] = Counter()
    try:
        while batches := await consumer.getmany(timeout_ms=1500):
            for records in batches.values():
                for record in records:
                    envelope = decode(record.headers, record.value)
                    if isinstance(envelope.event, VisitUnassignable) and str(envelope.event.episode_id) in episodes:
                        reasons[envelope.event.reason] += 1
    finally:
        await consumer.stop()
    return dict(reasons)


async def total_lag(admin: AIOKafkaAdminClient, ends: AIOKafkaConsumer, groups: list[str]) -> int | None:
    """The lag of the group furthest behind (summed over its partitions): each group reads the events
    once, so the sum over groups would count one event several times. None when the broker, busy with the
    load, did not answer in time (that second has no sample)."""
    try:
        return await _worst_lag(admin, ends, groups)
    except (KafkaError, TimeoutError):
        return None


async def _worst_lag(admin: AIOKafkaAdminClient, ends: AIOKafkaConsumer, groups: list[str]) -> int:
    worst = 0
    for group in groups:
        lag = 0
        committed = await admin.list_consumer_group_offsets(group)
        if not committed:
            continue
        latest = await ends.end_offsets(list(committed))
        lag += sum(max(0, latest[tp] - meta.offset) for tp, meta in committed.items() if meta.offset >= 0)
        worst = max(worst, lag)
    return worst


async def sample_lag(
    admin: AIOKafkaAdminClient, ends: AIOKafkaConsumer, groups: list[str], samples: list[tuple[float, int]], done: asyncio.Event
) -> None:
    """Append (seconds since the start, lag) to `samples` once a second until `done`."""
    began = time.perf_counter()
    while not done.is_set():
        lag = await total_lag(admin, ends, groups)
        if lag is not None:
            samples.append((time.perf_counter() - began, lag))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 1.0)


async def drained(stack: Stack, within: float = 300.0) -> float:
    """Wait until every consumer group has caught up (lag 0), so one measurement's backlog is not the
    next one's latency; the seconds it took."""
    admin = AIOKafkaAdminClient(**connection_options(stack.kafka))
    ends = AIOKafkaConsumer(**connection_options(stack.kafka))
    await admin.start()
    await ends.start()
    began = time.perf_counter()
    try:
        while time.perf_counter() - began < within:  # polling the broker: no event of ours to wait on
            if await total_lag(admin, ends, stack.groups()) == 0:
                break
            await asyncio.sleep(1.0)
    finally:
        await ends.stop()
        await admin.close()
    return time.perf_counter() - began


async def sustained(stack: Stack, hub: Hub, stream: LiveStream, rates: list[float], hold: float) -> dict[str, Any]:
    admin = AIOKafkaAdminClient(**connection_options(stack.kafka))
    ends = AIOKafkaConsumer(**connection_options(stack.kafka))
    await admin.start()
    await ends.start()
    steps, best = [], 0.0
    try:
        for rate in rates:
            samples: list[tuple[float, int]] = []
            sampling = asyncio.Event()
            sampler = asyncio.create_task(sample_lag(admin, ends, stack.groups(), samples, sampling))
            row = await post_triaged(hub, stream, rate, hold)
            sampling.set()
            await sampler
            load = [(t, lag) for t, lag in samples if t <= hold]
            judged = lag_flat(load, rate, slack_seconds=5.0)  # faust commits every few seconds
            flat = judged.flat and row["lost"] == 0 and row["achieved_rate"] >= 0.95 * rate
            reason = judged.reason if row["achieved_rate"] >= 0.95 * rate else f"client reached {row['achieved_rate']}/s"
            steps.append(
                {
                    "rate": rate,
                    "seconds": hold,
                    "judgement": ("flat" if flat else f"not flat: {reason}") + (f", {row['lost']} lost" if row["lost"] else ""),
                    "peak_lag": judged.peak,
                    "slope": judged.slope_per_s,
                    "p50_ms": row["p50_ms"],
                    "p99_ms": row["p99_ms"],
                }
            )
            print(f"    sustained {rate}/s: {steps[-1]['judgement']}", flush=True)
            if not flat:
                break
            best = rate
            await drained(stack)
    finally:
        await ends.stop()
        await admin.close()
    return {"rate": best, "steps": steps}


async def floor(kafka: KafkaSettings, rate: float, seconds: float) -> dict[str, Any]:
    """Raw aiokafka: one producer (acks=all, idempotence), one consumer in a group, one hop."""
    topic = f"{kafka.topic_prefix}floor"
    admin = AIOKafkaAdminClient(**connection_options(kafka))
    await admin.start()
    with contextlib.suppress(Exception):
        await admin.create_topics([NewTopic(topic, 6, 1)])
    producer = AIOKafkaProducer(**connection_options(kafka), acks="all", enable_idempotence=True, linger_ms=0)
    consumer = AIOKafkaConsumer(topic, **connection_options(kafka), group_id=f"{topic}-{rate}", auto_offset_reset="latest")
    await producer.start()
    await consumer.start()
    latencies: list[float] = []
    stop = asyncio.Event()

    async def consume() -> None:
        while not stop.is_set():
            for records in (await consumer.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                latencies.extend((now - float(record.value)) * 1000 for record in records if record.value)

    try:
        await asyncio.sleep(2)  # joined the group, assigned
        reader = asyncio.create_task(consume())

        async def send() -> None:
            await producer.send(topic, value=repr(time.perf_counter()).encode(), key=uuid4().bytes)

        await open_loop(rate, seconds, send)
        await asyncio.sleep(1)
        stop.set()
        await reader
    finally:
        await consumer.stop()
        await producer.stop()
        with contextlib.suppress(Exception):
            await admin.delete_topics([topic])
        await admin.close()
    return summary(latencies, sent=int(rate * seconds))


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _listener(port: int) -> int | None:
    """The pid of the process listening on TCP `port`, from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd).removeprefix("socket:[").removesuffix("]") in inodes:
                    return int(proc.name)
    return None


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (proc / "stat").read_text()
                children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(proc.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def memory(stack: Stack) -> dict[str, int]:
    """PSS by process (its process group: nginx's workers, PostgreSQL's backends), plus Kafka and PostgreSQL."""
    usage: dict[str, int] = {}
    for record in pidfiles.started_processes(stack.data):
        usage[record.name] = sum(_pss(pid) for pid in pidfiles.group_members(record.pid))
    kafka_port = int(KafkaSettings().bootstrap_servers.split(",")[0].rsplit(":", 1)[1])
    for name, port in (("kafka", kafka_port), ("postgresql", StackSettings().port)):
        if (pid := _listener(port)) is not None:
            usage[name] = sum(_pss(p) for p in _descendants(pid))
    return usage


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(((float(rate), row) for rate, row in results["post_triaged"].items()), key=lambda item: item[0])
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for key, label in (("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99")):
        axis.plot([rate for rate, _ in rows], [row[key] for _, row in rows], marker="o", label=f"post -> triaged {label}")
    floor_rows = sorted(((float(rate), row) for rate, row in results["floor"].items()), key=lambda item: item[0])
    axis.plot([rate for rate, _ in floor_rows], [row["p50_ms"] for _, row in floor_rows], "k--", label="aiokafka one hop p50")
    axis.axhline(20, color="grey", linewidth=0.8, linestyle=":")
    axis.axhline(100, color="grey", linewidth=0.8, linestyle=":")
    axis.set_xlabel("referrals per second")
    axis.set_ylabel("milliseconds (log)")
    axis.set_yscale("log")
    axis.set_title("CareRelay: referral posted -> triaged on the hub's live stream")
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


async def one_stack(instances: int, args: argparse.Namespace, results: dict[str, Any], full: bool) -> None:
    stack = Stack(instances)
    print(f"starting the stack with {instances} instance(s) of each service in {stack.data} ...", flush=True)
    await asyncio.to_thread(stack.start)
    hub: Hub | None = None
    stream: LiveStream | None = None
    try:
        handler, clinician = await user_token(stack.issuer, HANDLER), await user_token(stack.issuer, CLINICIAN)
        hub = Hub(stack, handler, clinician)
        stream = await LiveStream(stack.web, handler).open()
        await asyncio.sleep(5)  # the demo's own work settles
        if full:
            results["rss"]["idle"] = memory(stack)
            for rate in args.rates:
                key = f"{rate:g}"
                print(f"  post -> triaged at {rate}/s for {args.seconds} s", flush=True)
                results["floor"][key] = await floor(stack.kafka, rate, args.seconds)
                row = await post_triaged(hub, stream, rate, args.seconds)
                results["raw"][key] = row.pop("latencies_ms")
                results["post_triaged"][key] = row
                print(
                    f"    p50 {row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms "
                    f"(floor p50 {results['floor'][key]['p50_ms']:.1f})"
                )
                print(f"    caught up {await drained(stack):.0f} s later", flush=True)
            results["rss"]["load"] = memory(stack)
            print(f"  accept -> first visit decided at 1/s, {args.accepts} referrals", flush=True)
            results["accept_decided"]["1"] = await accept_decided(hub, stream, stack.kafka, 1.0, args.accepts, wait=60)
            print(f"  burst: {args.burst} accepts within 10 s", flush=True)
            results["burst"] = burst = await accept_decided(
                hub, stream, stack.kafka, args.burst / 10, args.burst, wait=args.burst_wait
            )
            burst["decided"] = burst["arrived"]
        print(f"  sustained rate with {instances} instance(s)", flush=True)
        results["sustained"][str(instances)] = await sustained(stack, hub, stream, args.steps, args.hold)
    finally:
        if stream is not None:
            await stream.close()
        if hub is not None:
            await hub.close()
        await stack.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke test: short holds, few rates, a small burst")
    parser.add_argument("--hold", type=float, default=None, help="seconds each sustained step is held (60)")
    parser.add_argument("--out", default=str(REPO / "bench" / "results-e2e"))
    parser.add_argument("--one-instance-only", action="store_true", help="skip the run with two instances of each service")
    args = parser.parse_args()
    quick = args.quick
    args.rates = [10.0, 50.0] if quick else [10.0, 50.0, 200.0]
    args.seconds = 4.0 if quick else 20.0
    args.hold = args.hold or (8.0 if quick else 60.0)
    args.steps = [50.0, 100.0] if quick else [50.0, 100.0, 150.0, 200.0, 250.0, 300.0, 400.0]
    args.accepts = 5 if quick else 30
    args.burst = 20 if quick else 100
    args.burst_wait = 60.0 if quick else 180.0
    results: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start)",
        "floor": {},
        "post_triaged": {},
        "raw": {},
        "accept_decided": {},
        "sustained": {},
        "rss": {},
    }
    try:
        await one_stack(1, args, results, full=True)
        if not args.one_instance_only:
            await one_stack(2, args, results, full=False)
    finally:  # what was measured is written, even when a later part fails
        results.pop("raw", None)
        print("\n" + await asyncio.to_thread(write_results, results, Path(args.out)))


def write_results(results: dict[str, Any], out: Path) -> str:
    """The JSON, the table and the plot, beside each other; the table."""
    Path(f"{out}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = render(results)
    Path(f"{out}.txt").write_text(table)
    plot(results, Path(f"{out}.png"))
    return table


if __name__ == "__main__":
    asyncio.run(main())

"""A soak: the whole system at a steady rate for a long time, recording memory, lag and outbox backlog.

    .venv/bin/python bench/soak.py [--rate 20] [--minutes 60] [--every 10] [--out bench/results-soak]

Starts the system as bench/e2e.py does (`python -m carerelay_stack run` on its own data dir, ports 18xxx,
topic prefix and databases; Kafka and PostgreSQL must already be up: `make infra-up`), then posts
referrals through the web origin at `--rate` a second for `--minutes`, accepting each one as the hub
would (every accepted referral gets a first visit planned). Every `--every` seconds it records:
- PSS of every process (each service, nginx, the issuer, Kafka, PostgreSQL with its backends);
- the consumer lag of the group furthest behind (the Kafka admin API);
- the outbox backlog of each service (`carerelay_outbox_unpublished` and the oldest row's age, from
  each service's /metrics).

It writes bench/results-soak.json, .txt (a table: start, end, the peak and the growth of each) and .png
(memory and lag over time). What a soak answers: does anything grow without bound (memory, lag, the
backlog) at a rate the system sustains? A leak shows as a slope in the PSS lines; falling behind as lag
that does not come back down.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from e2e import CLINICIAN, HANDLER, PORT_BASE, Hub, Stack, memory, open_loop, total_lag

from carerelay_events.transport.aiokafka import connection_options
from carerelay_stack.settings import REPO, SERVICES
from carerelay_stack.sign_in import user_token

SERVICE_PORTS = {"referral": 101, "triage": 102, "scheduling": 103, "notifications": 104}


def outbox_backlog(metrics: str) -> tuple[float, float]:
    """(unpublished rows, oldest age in seconds) summed / maxed over the sources in one /metrics page."""
    rows, age = 0.0, 0.0
    for line in metrics.splitlines():
        if line.startswith("carerelay_outbox_unpublished{"):
            rows += float(line.rsplit(" ", 1)[1])
        elif line.startswith("carerelay_outbox_oldest_unpublished_age_seconds{"):
            age = max(age, float(line.rsplit(" ", 1)[1]))
    return rows, age


async def backlogs(client: httpx.AsyncClient) -> dict[str, tuple[float, float]]:
    found = {}
    for service, offset in SERVICE_PORTS.items():
        with contextlib.suppress(httpx.HTTPError):
            response = await client.get(f"http://127.0.0.1:{PORT_BASE + offset}/metrics")
            found[service] = outbox_backlog(response.text)
    return found


async def record(stack: Stack, every: float, samples: list[dict[str, Any]], done: asyncio.Event) -> None:
    admin = AIOKafkaAdminClient(**connection_options(stack.kafka))
    ends = AIOKafkaConsumer(**connection_options(stack.kafka))
    await admin.start()
    await ends.start()
    began = time.monotonic()
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            while True:
                samples.append(
                    {
                        "t": round(time.monotonic() - began, 1),
                        "pss": memory(stack),
                        "lag": await total_lag(admin, ends, stack.groups()),
                        "outbox": await backlogs(client),
                    }
                )
                if done.is_set():
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(done.wait(), every)
    finally:
        await ends.stop()
        await admin.close()


async def until_done_or_dead(stack: Stack, load: asyncio.Task[float]) -> str | None:
    """Wait for the load to finish; if the stack stops under it first (a service died: the stack stops
    them all), cancel the load and say why, from the stack's log (a soak that runs on against a dead
    system measures nothing)."""
    while not load.done():
        await asyncio.wait({load}, timeout=5)
        if stack.process is not None and stack.process.poll() is not None:
            load.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await load
            said = (stack.data / "stack.log").read_text(errors="replace").splitlines()
            died = [line.strip() for line in said if "stopped unexpectedly" in line]
            return died[0] if died else f"the stack exited with {stack.process.returncode}"
    return None


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    stack = Stack(1)
    print(f"starting the stack in {stack.data} ...", flush=True)
    await asyncio.to_thread(stack.start)
    samples: list[dict[str, Any]] = []
    done = asyncio.Event()
    hub: Hub | None = None
    try:
        hub = Hub(stack, await user_token(stack.issuer, HANDLER), await user_token(stack.issuer, CLINICIAN))
        await asyncio.sleep(5)  # the demo's own work settles
        recorder = asyncio.create_task(record(stack, args.every, samples, done))
        accepted = 0

        async def send() -> None:
            nonlocal accepted
            assert hub is not None
            posted = await hub.post()
            if posted is not None:
                await asyncio.sleep(2)  # triaged meanwhile; accept as the hub would
                if await hub.accept(posted.split()[1]):
                    accepted += 1

        print(f"  {args.rate}/s for {args.minutes} min, sampling every {args.every} s", flush=True)
        began = time.monotonic()
        load = asyncio.create_task(open_loop(args.rate, args.minutes * 60, send))
        stopped_early = await until_done_or_dead(stack, load)
        achieved = load.result() if load.done() and not load.cancelled() else 0.0
        if stopped_early is None:
            await asyncio.sleep(args.every * 2)  # what is in flight lands; the last samples show the drain
        else:
            print(f"  stopped early after {(time.monotonic() - began) / 60:.1f} min: {stopped_early}", flush=True)
        done.set()
        await recorder
        return {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.node()} ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)",
            "rate": args.rate,
            "achieved_rate": round(achieved, 2),
            "minutes": args.minutes,
            "posted": len(hub.posted),
            "accepted": accepted,
            "failures": hub.failures,
            "stopped_early": None
            if stopped_early is None
            else {"after_minutes": round((time.monotonic() - began) / 60, 1), "why": stopped_early},
            "samples": samples,
        }
    finally:
        done.set()
        if hub is not None:
            await hub.close()
        await stack.stop()


def _row(what: str, series: list[float], digits: int = 0, growth: bool = True) -> str:
    grew = f"{series[-1] - series[0]:>+12.{digits}f}" if growth else f"{'':>12}"
    return f"{what:<34}{series[0]:>12.{digits}f}{series[-1]:>12.{digits}f}{max(series):>12.{digits}f}{grew}"


def table(results: dict[str, Any]) -> str:
    samples = results["samples"]
    early = results.get("stopped_early")
    lines = [
        f"Soak: {results['rate']}/s (achieved {results['achieved_rate']}/s) for {results['minutes']} min, {results['at']}",
        *([f"STOPPED EARLY after {early['after_minutes']} min: {early['why']}"] if early else []),
        f"machine: {results['machine']}",
        f"posted {results['posted']}, accepted {results['accepted']}, failed posts {results['failures']}, {len(samples)} samples",
        "",
        f"{'what':<34}{'start':>12}{'end':>12}{'peak':>12}{'growth':>12}",
    ]
    for name in sorted({name for sample in samples for name in sample["pss"]}):
        lines.append(_row(f"PSS {name} (MiB)", [sample["pss"].get(name, 0) / 2**20 for sample in samples]))
    lags = [float(sample["lag"]) for sample in samples if sample["lag"] is not None]
    if lags:
        lines.append(_row("lag, worst group", lags))
    for service in SERVICES:
        seen = [sample["outbox"][service] for sample in samples if service in sample["outbox"]]
        if seen:
            lines.append(_row(f"outbox {service} (rows)", [rows for rows, _ in seen]))
            lines.append(_row(f"outbox {service} oldest (s)", [age for _, age in seen], digits=1, growth=False))
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samples = results["samples"]
    minutes = [sample["t"] / 60 for sample in samples]
    figure, (memory_axis, lag_axis) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    for name in sorted({name for sample in samples for name in sample["pss"]}):
        memory_axis.plot(minutes, [sample["pss"].get(name, 0) / 2**20 for sample in samples], label=name)
    memory_axis.set_ylabel("PSS (MiB)")
    memory_axis.legend(fontsize=7, ncol=3)
    lag_axis.plot(
        minutes, [sample["lag"] if sample["lag"] is not None else float("nan") for sample in samples], label="lag (worst group)"
    )
    lag_axis.plot(
        minutes, [sum(rows for rows, _ in sample["outbox"].values()) for sample in samples], label="outbox backlog (all services)"
    )
    lag_axis.set_ylabel("events")
    lag_axis.set_xlabel("minutes")
    lag_axis.legend(fontsize=8)
    figure.suptitle(f"CareRelay soak: {results['rate']}/s for {results['minutes']} min")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--out", default=str(REPO / "bench" / "results-soak"))
    args = parser.parse_args()
    results = await soak(args)
    if results.get("stopped_early"):
        args.out = f"{args.out}-stopped-early"  # the committed table is a whole hour's
    out = Path(args.out)
    out.with_suffix(".json").write_text(json.dumps(results, indent=1))
    text = table(results)
    out.with_suffix(".txt").write_text(text)
    plot(results, out.with_suffix(".png"))
    print("\n" + text)
    if results.get("stopped_early"):
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())

"""The pure half of bench/e2e.py: percentiles, whether consumer lag stayed flat, the targets with
PASS/MISS, and the text table. No I/O; bench/tests/test_e2e_figures.py checks it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

GIB = 1024**3


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks; NaN when empty."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(latencies_ms: Sequence[float], sent: int) -> dict[str, float | int]:
    """p50/p95/p99/max of what arrived, how many were sent and how many never arrived."""
    if any(value < 0 or math.isnan(value) for value in latencies_ms):
        raise ValueError("a latency is negative or not a number")
    return {
        "sent": sent,
        "arrived": len(latencies_ms),
        "lost": sent - len(latencies_ms),
        "p50_ms": percentile(latencies_ms, 50),
        "p95_ms": percentile(latencies_ms, 95),
        "p99_ms": percentile(latencies_ms, 99),
        "max_ms": max(latencies_ms) if latencies_ms else math.nan,
    }


@dataclass(frozen=True)
class LagJudgement:
    flat: bool
    slope_per_s: float
    """The least-squares slope of total lag over the second half of the run, messages per second."""
    peak: int
    reason: str


def lag_flat(samples: Sequence[tuple[float, int]], rate: float, *, slack_seconds: float = 2.0) -> LagJudgement:
    """Whether consumer lag stayed flat while `rate` events/s went in: over the second half of the
    samples (time s, total lag), lag grows by less than 2% of the rate per second and never exceeds
    what `slack_seconds` of input would leave queued (at least 20 messages)."""
    if rate <= 0:
        raise ValueError("the rate must be positive")
    if len(samples) < 4:
        return LagJudgement(False, math.nan, max((lag for _, lag in samples), default=0), "too few lag samples")
    if any(lag < 0 for _, lag in samples):
        raise ValueError("a lag sample is negative")
    tail = list(samples[len(samples) // 2 :])
    times = [t for t, _ in tail]
    lags = [float(lag) for _, lag in tail]
    mean_t, mean_lag = sum(times) / len(times), sum(lags) / len(lags)
    spread = sum((t - mean_t) ** 2 for t in times)
    slope = sum((t - mean_t) * (lag - mean_lag) for t, lag in zip(times, lags, strict=True)) / spread if spread else 0.0
    peak = max(lag for _, lag in tail)
    bound = max(20.0, rate * slack_seconds)
    if slope > 0.02 * rate:
        return LagJudgement(False, slope, peak, f"lag grows {slope:.1f}/s")
    if peak > bound:
        return LagJudgement(False, slope, peak, f"lag peaked at {peak} (> {bound:.0f})")
    return LagJudgement(True, slope, peak, "flat")


@dataclass(frozen=True)
class Target:
    name: str
    limit: float
    unit: str
    higher_is_better: bool = False

    def verdict(self, value: float | None) -> str:
        if value is None or math.isnan(value):
            return "MISS (not measured)"
        met = value >= self.limit if self.higher_is_better else value <= self.limit
        if met:
            return "PASS"
        if value <= 0:
            return "MISS (none)"
        ratio = self.limit / value if self.higher_is_better else value / self.limit
        return f"MISS ({ratio:.1f}x {'short' if self.higher_is_better else 'over'})"


TARGETS = {
    "post_triaged_p50_at_50": Target("post -> triaged p50 at 50/s", 20, "ms"),
    "post_triaged_p99_at_50": Target("post -> triaged p99 at 50/s", 100, "ms"),
    "sustained_rate": Target("sustained rate, lag flat", 200, "/s", higher_is_better=True),
    "accept_decided_p95_at_1": Target("accept -> first visit decided p95 at 1/s", 2000, "ms"),
    "idle_rss": Target("whole-system idle RSS", 1.5 * GIB, "bytes"),
    "burst_decided_after_last": Target("burst of 100: all decided after the last accept", 30_000, "ms"),
}


def target_values(results: dict[str, Any]) -> dict[str, float | None]:
    """Each target's measured figure from a results document (None when that part was not run)."""
    post = results.get("post_triaged", {})
    at_50 = post.get("50") or {}
    accept = results.get("accept_decided", {}).get("1") or {}
    sustained = results.get("sustained", {})
    rss = results.get("rss", {}).get("idle", {})
    burst = results.get("burst") or {}
    return {
        "post_triaged_p50_at_50": at_50.get("p50_ms"),
        "post_triaged_p99_at_50": at_50.get("p99_ms"),
        "sustained_rate": sustained.get("1", {}).get("rate") if sustained else None,
        "accept_decided_p95_at_1": accept.get("p95_ms"),
        "idle_rss": float(sum(rss.values())) if rss else None,
        "burst_decided_after_last": burst.get("decided_after_last_ms"),
    }


def _ms(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.1f}"


def _size(value: float) -> str:
    return f"{value / 1024**2:,.0f} MiB"


def render(results: dict[str, Any]) -> str:
    """The text table bench/results-e2e.txt holds."""
    lines = [f"bench/e2e.py {results.get('mode', '')} run at {results.get('at', '?')} on {results.get('machine', '?')}", ""]
    floor = results.get("floor", {})
    lines.append("post -> triaged on the hub's live stream (and the raw aiokafka one-hop floor on the same broker)")
    lines.append(
        f"{'rate/s':>7} {'sent':>6} {'lost':>5} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'floor p50':>10} {'x floor':>8}"
    )
    for rate, row in sorted(results.get("post_triaged", {}).items(), key=lambda item: float(item[0])):
        floor_p50 = (floor.get(rate) or {}).get("p50_ms")
        ratio = row["p50_ms"] / floor_p50 if floor_p50 and not math.isnan(row["p50_ms"]) else math.nan
        lines.append(
            f"{rate:>7} {row['sent']:>6} {row['lost']:>5} {_ms(row['p50_ms']):>9} {_ms(row['p95_ms']):>9} "
            f"{_ms(row['p99_ms']):>9} {_ms(floor_p50):>10} {_ms(ratio):>8}"
        )
    lines.append("")
    lines.append("accept -> first visit decided (assigned, or unassignable with its reason) on the live stream")
    for rate, row in sorted(results.get("accept_decided", {}).items(), key=lambda item: float(item[0])):
        outcomes = ", ".join(f"{kind} {count}" for kind, count in sorted(row.get("outcomes", {}).items()))
        lines.append(
            f"  at {rate}/s: sent {row['sent']}, decided {row['arrived']}, p50 {_ms(row['p50_ms'])} ms, "
            f"p95 {_ms(row['p95_ms'])} ms, p99 {_ms(row['p99_ms'])} ms ({outcomes or 'none'})"
        )
        for reason, count in sorted(row.get("unassignable_reasons", {}).items()):
            lines.append(f"      unassignable x{count}: {reason}")
    if burst := results.get("burst"):
        lines.append(
            f"  burst: {burst['sent']} accepted in {burst['accepting_s']:.1f} s, {burst['decided']} decided, "
            f"the last {_ms(burst.get('decided_after_last_ms'))} ms after the last accept"
        )
    lines.append("")
    lines.append("sustained rate (each step held for the duration, consumer lag judged over its second half)")
    for instances, row in sorted(results.get("sustained", {}).items()):
        lines.append(f"  {instances} instance(s) of each service: {row['rate']}/s")
        for step in row.get("steps", []):
            lines.append(
                f"      {step['rate']:>5}/s for {step['seconds']:.0f} s: {step['judgement']} (peak lag {step['peak_lag']}, "
                f"slope {step['slope']:.2f}/s, p50 {_ms(step.get('p50_ms'))} ms, p99 {_ms(step.get('p99_ms'))} ms)"
            )
    lines.append("")
    rss = results.get("rss", {})
    if rss:
        lines.append("memory (PSS: shared pages split between the processes sharing them)")
        names = sorted(set(rss.get("idle", {})) | set(rss.get("load", {})))
        for name in names:
            idle, load = rss.get("idle", {}).get(name), rss.get("load", {}).get(name)
            lines.append(f"  {name:<22} idle {_size(idle) if idle else '-':>10}   under load {_size(load) if load else '-':>10}")
        lines.append(f"  {'whole system':<22} idle {_size(sum(rss.get('idle', {}).values())):>10}")
        lines.append("")
    lines.append("targets")
    for key, value in target_values(results).items():
        target = TARGETS[key]
        shown = _size(value) if target.unit == "bytes" and value is not None else f"{_ms(value)} {target.unit}"
        limit = _size(target.limit) if target.unit == "bytes" else f"{target.limit:,.0f} {target.unit}"
        relation = ">=" if target.higher_is_better else "<="
        lines.append(f"  {target.name:<52} {shown:>14}  ({relation} {limit})  {target.verdict(value)}")
    return "\n".join(lines) + "\n"

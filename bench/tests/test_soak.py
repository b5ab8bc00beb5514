"""The soak's reading of /metrics and its table: what it reports is what the samples say."""

from __future__ import annotations

from soak import outbox_backlog, table

METRICS = """# HELP carerelay_outbox_unpublished Events written but neither relayed nor set aside
carerelay_outbox_unpublished{source="/carerelay/referral"} 3.0
carerelay_outbox_unpublished{source="/carerelay/other"} 2.0
carerelay_outbox_oldest_unpublished_age_seconds{source="/carerelay/referral"} 1.5
carerelay_outbox_oldest_unpublished_age_seconds{source="/carerelay/other"} 4.0
carerelay_outbox_published_total{source="/carerelay/referral"} 900.0
"""


def test_the_backlog_is_summed_and_the_oldest_age_is_the_worst() -> None:
    assert outbox_backlog(METRICS) == (5.0, 4.0)
    assert outbox_backlog("") == (0.0, 0.0)


def test_the_table_gives_start_end_peak_and_growth() -> None:
    mib = 2**20
    results = {
        "rate": 20.0,
        "achieved_rate": 19.9,
        "minutes": 1.0,
        "at": "2026-12-01T18:00:00+00:00",
        "machine": "test",
        "posted": 1200,
        "accepted": 1190,
        "failures": 0,
        "samples": [
            {"t": 0.0, "pss": {"referral": 100 * mib}, "lag": 0, "outbox": {"referral": (0.0, 0.0)}},
            {"t": 10.0, "pss": {"referral": 130 * mib}, "lag": 40, "outbox": {"referral": (12.0, 0.4)}},
            {"t": 20.0, "pss": {"referral": 110 * mib}, "lag": 2, "outbox": {"referral": (1.0, 0.1)}},
        ],
    }
    text = table(results)
    assert "posted 1200, accepted 1190, failed posts 0, 3 samples" in text
    (memory,) = [line for line in text.splitlines() if line.startswith("PSS referral")]
    assert memory.split()[-4:] == ["100", "110", "130", "+10"]
    (lag,) = [line for line in text.splitlines() if line.startswith("lag")]
    assert lag.split()[-4:] == ["0", "2", "40", "+2"]
    (rows,) = [line for line in text.splitlines() if line.startswith("outbox referral (rows)")]
    assert rows.split()[-4:] == ["0", "1", "12", "+1"]


def test_a_soak_the_system_did_not_survive_says_so_first() -> None:
    results = {
        "rate": 20.0,
        "achieved_rate": 0.0,
        "minutes": 60.0,
        "at": "2026-12-01T22:50:00+00:00",
        "machine": "test",
        "posted": 14000,
        "accepted": 13900,
        "failures": 0,
        "stopped_early": {"after_minutes": 12.6, "why": "scheduling stopped unexpectedly"},
        "samples": [{"t": 0.0, "pss": {}, "lag": 0, "outbox": {}}],
    }
    assert table(results).splitlines()[1] == "STOPPED EARLY after 12.6 min: scheduling stopped unexpectedly"
    assert "STOPPED" not in table({**results, "stopped_early": None})

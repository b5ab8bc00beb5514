"""The clock a service reads: the system's unless a simulated clock's file is configured (clock.py)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from carerelay_service.clock import ClockSettings, SimulatedClock, clock_from, read_setting, set_simulated, system_clock

MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


class RealTime:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_without_a_file_the_clock_is_the_systems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARERELAY_CLOCK_FILE", raising=False)
    assert clock_from() is system_clock
    assert abs(system_clock() - datetime.now(UTC)) < timedelta(seconds=1)


def test_a_simulated_clock_runs_at_its_rate_from_what_the_file_said(tmp_path: Path) -> None:
    path = tmp_path / "clock.json"
    set_simulated(path, MONDAY, rate=60.0)
    real = RealTime()
    real.now = read_setting(path).real
    clock = SimulatedClock(path, real)
    assert clock() == MONDAY
    real.now += 120  # two real minutes: two simulated hours
    assert clock() == MONDAY + timedelta(hours=2)


def test_rewriting_the_file_moves_every_reader(tmp_path: Path) -> None:
    path = tmp_path / "clock.json"
    set_simulated(path, MONDAY, rate=1.0)
    clock = clock_from(ClockSettings(file=path))
    assert abs(clock() - MONDAY) < timedelta(seconds=5)
    set_simulated(path, MONDAY + timedelta(days=2), rate=1.0)
    os.utime(path, ns=(1, 10**18))  # a new mtime, however fast the file was rewritten
    assert abs(clock() - (MONDAY + timedelta(days=2))) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "unreadable"),
        (b'{"real": 1, "rate": 1}', "unreadable: KeyError"),
        (b'{"real": 1, "simulated": "2026-12-07T08:00:00", "rate": 1}', "must have a UTC offset"),
        (b'{"real": 1, "simulated": "2026-12-07T08:00:00Z", "rate": 0}', "rate must be above 0"),
        (b'{"real": 1, "simulated": "a Tuesday", "rate": 1}', "unreadable: ValueError"),
    ],
)
def test_a_bad_file_is_refused_saying_what_is_wrong(tmp_path: Path, body: bytes, says: str) -> None:
    path = tmp_path / "clock.json"
    path.write_bytes(body)
    with pytest.raises(ValueError, match=says):
        clock_from(ClockSettings(file=path))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unreadable"):
        clock_from(ClockSettings(file=tmp_path / "absent.json"))

"""The time a service reads: the system's, unless a simulated clock is explicitly configured.

A simulated clock lets a test or the county simulator run hours of a service's time in minutes: two
hours of an SMTP outage, a week of retries. It is a small JSON file that whoever drives the simulation
writes (`set_simulated`) and every configured process reads:

    {"real": <Unix time it was set>, "simulated": <ISO 8601 time it then said>, "rate": <seconds per second>}

so that the time now is `simulated + (real time now - real) * rate`. Several processes given the same
file share one clock; rewriting the file moves it (a process reads it again once its mtime changes).
The file is configured with `CARERELAY_CLOCK_FILE`; without it the clock is the system's, always.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
from pydantic_settings import BaseSettings, SettingsConfigDict

Clock = Callable[[], datetime]
"""The time now, timezone-aware (UTC)."""


def system_clock() -> datetime:
    return datetime.now(UTC)


class ClockSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CARERELAY_CLOCK_", frozen=True, extra="ignore")

    file: Path | None = None
    """A simulated clock's file (see the module's doc); None, the default: the system's clock."""


@dataclass(frozen=True)
class Setting:
    """What a simulated clock's file says: at real Unix time `real` the clock said `simulated`, and it
    runs `rate` times as fast as real time."""

    real: float
    simulated: datetime
    rate: float

    def at(self, real_now: float) -> datetime:
        return datetime.fromtimestamp(self.simulated.timestamp() + (real_now - self.real) * self.rate, UTC)


class SimulatedClock:
    """The clock a file says; `real_time` is the real clock (`time.time`), replaceable in tests."""

    def __init__(self, path: Path, real_time: Callable[[], float] = time.time) -> None:
        self.path = path
        self.real_time = real_time
        self._read_at: int | None = None
        self._setting = read_setting(path)

    def __call__(self) -> datetime:
        changed: int | None
        try:
            changed = self.path.stat().st_mtime_ns
        except OSError:  # being replaced: the setting read last still holds
            changed = self._read_at
        if changed != self._read_at:
            self._read_at = changed
            self._setting = read_setting(self.path)
        return self._setting.at(self.real_time())


def read_setting(path: Path) -> Setting:
    """The file's setting; ValueError naming what is wrong (a service must not start on a bad clock)."""
    try:
        data = orjson.loads(path.read_bytes())
        simulated = datetime.fromisoformat(str(data["simulated"]))
        setting = Setting(real=float(data["real"]), simulated=simulated, rate=float(data["rate"]))
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise ValueError(f"the simulated clock's file {path} is unreadable: {type(error).__name__}: {error}") from error
    if simulated.tzinfo is None:
        raise ValueError(f"the simulated clock's file {path}: simulated must have a UTC offset")
    if not 0 < setting.rate <= 10_000:
        raise ValueError(f"the simulated clock's file {path}: rate must be above 0 and at most 10000")
    return setting


def set_simulated(path: Path, simulated: datetime, rate: float = 1.0) -> None:
    """Point the clock in `path` at `simulated` now, running `rate` times as fast (written atomically)."""
    if simulated.tzinfo is None:
        raise ValueError("simulated must be timezone-aware")
    body = orjson.dumps({"real": time.time(), "simulated": simulated.isoformat(), "rate": rate})
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "wb") as out:
        out.write(body)
    os.replace(temporary, path)


def clock_from(settings: ClockSettings | None = None) -> Clock:
    """The system's clock, or the simulated one `CARERELAY_CLOCK_FILE` names."""
    settings = settings or ClockSettings()
    return system_clock if settings.file is None else SimulatedClock(settings.file)

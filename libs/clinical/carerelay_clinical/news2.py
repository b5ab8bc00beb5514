"""NEWS2, the Royal College of Physicians' National Early Warning Score 2 (2017 chart).

Pure functions: observations in, a score and its clinical response band out. Shared by triage
(scoring a referral's observations) and scheduling (observations taken at a visit); the clinician
app has the same chart in TypeScript (web/clinician/src/news2.ts) for when it is offline.
The observations are anything with the chart's seven parameters (the event contract's
`Observations` is one), so this package depends on nothing of CareRelay's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol


class Acvpu(StrEnum):
    """Level of consciousness for NEWS2: Alert, new Confusion, Voice, Pain, Unresponsive."""

    ALERT = "A"
    CONFUSION = "C"
    VOICE = "V"
    PAIN = "P"
    UNRESPONSIVE = "U"


class VitalSigns(Protocol):
    """The seven NEWS2 parameters as a set of observations carries them."""

    @property
    def respiration_rate(self) -> int: ...
    @property
    def spo2_percent(self) -> int: ...
    @property
    def spo2_scale(self) -> Literal[1, 2]: ...
    @property
    def on_supplemental_oxygen(self) -> bool: ...
    @property
    def systolic_bp(self) -> int: ...
    @property
    def pulse(self) -> int: ...
    @property
    def consciousness(self) -> Acvpu: ...
    @property
    def temperature_celsius(self) -> float: ...


class News2Band(StrEnum):
    LOW = "low"
    LOW_MEDIUM = "low-medium"
    """Aggregate 0-4 with a single parameter scoring 3: urgent review by a clinician."""
    MEDIUM = "medium"
    """Aggregate 5-6: urgent review."""
    HIGH = "high"
    """Aggregate 7 or more: emergency assessment; advise 999 rather than community response."""


@dataclass(frozen=True)
class News2:
    score: int
    band: News2Band
    parameter_scores: dict[str, int]


def _respiration(rate: int) -> int:
    if rate <= 8:
        return 3
    if rate <= 11:
        return 1
    if rate <= 20:
        return 0
    if rate <= 24:
        return 2
    return 3


def _spo2_scale_1(spo2: int) -> int:
    if spo2 <= 91:
        return 3
    if spo2 <= 93:
        return 2
    if spo2 <= 95:
        return 1
    return 0


def _spo2_scale_2(spo2: int, on_oxygen: bool) -> int:
    """Scale 2 is for confirmed hypercapnic respiratory failure (target 88-92%)."""
    if spo2 <= 83:
        return 3
    if spo2 <= 85:
        return 2
    if spo2 <= 87:
        return 1
    if spo2 <= 92 or not on_oxygen:
        return 0
    if spo2 <= 94:
        return 1
    if spo2 <= 96:
        return 2
    return 3


def _systolic(bp: int) -> int:
    if bp <= 90:
        return 3
    if bp <= 100:
        return 2
    if bp <= 110:
        return 1
    if bp <= 219:
        return 0
    return 3


def _pulse(pulse: int) -> int:
    if pulse <= 40:
        return 3
    if pulse <= 50:
        return 1
    if pulse <= 90:
        return 0
    if pulse <= 110:
        return 1
    if pulse <= 130:
        return 2
    return 3


def _temperature(celsius: float) -> int:
    tenths = round(celsius * 10)
    if tenths <= 350:
        return 3
    if tenths <= 360:
        return 1
    if tenths <= 380:
        return 0
    if tenths <= 390:
        return 1
    return 2


def score(observations: VitalSigns) -> News2:
    parts = {
        "respiration_rate": _respiration(observations.respiration_rate),
        "spo2": (
            _spo2_scale_2(observations.spo2_percent, observations.on_supplemental_oxygen)
            if observations.spo2_scale == 2
            else _spo2_scale_1(observations.spo2_percent)
        ),
        "supplemental_oxygen": 2 if observations.on_supplemental_oxygen else 0,
        "systolic_bp": _systolic(observations.systolic_bp),
        "pulse": _pulse(observations.pulse),
        "consciousness": 0 if observations.consciousness == Acvpu.ALERT else 3,
        "temperature": _temperature(observations.temperature_celsius),
    }
    total = sum(parts.values())
    if total >= 7:
        band = News2Band.HIGH
    elif total >= 5:
        band = News2Band.MEDIUM
    elif 3 in parts.values():
        band = News2Band.LOW_MEDIUM
    else:
        band = News2Band.LOW
    return News2(score=total, band=band, parameter_scores=parts)

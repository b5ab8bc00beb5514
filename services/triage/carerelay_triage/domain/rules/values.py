"""The values a rules file holds, each checked with a message a clinical lead can act on: durations
("3h", "45m"), times of day, time zones, flags, the Clinical Frailty Scale, the at-risk fraction,
rule names, and members of the vocabulary (tiers, leads, needs, NEWS2 bands, routes), with a
"did you mean" for a near miss. Every parser raises ValueError with the message; pydantic places it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import time, timedelta
from enum import StrEnum
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import PlainValidator

from carerelay_clinical.news2 import News2Band
from carerelay_contract.vocabulary import LeadDiscipline, PresentingNeed, ReferralRoute, ResponseTier

RESERVED_NAMES = frozenset(f"news2-{band.value}" for band in News2Band)
"""Recorded in rules_fired for the NEWS2 band of a referral's observations; not available as rule names."""


def show(value: object) -> str:
    """A value as the clinical lead wrote it in YAML (never a Python repr)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a set of key: value lines"
    if isinstance(value, list):
        return "a list"
    return str(value)


E = TypeVar("E", bound=StrEnum)


def _member(kind: str, plural: str, enum: type[E], value: object) -> E:
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            pass
    choices = [member.value for member in enum]
    close = difflib.get_close_matches(value, choices, n=1) if isinstance(value, str) else []
    hint = f' (did you mean "{close[0]}"?)' if close else f"; the {plural} are: {', '.join(choices)}"
    raise ValueError(f"unknown {kind} {show(value)}{hint}")


def _one(kind: str, plural: str, enum: type[E]) -> Callable[[object], E]:
    def parse(value: object) -> E:
        return _member(kind, plural, enum, value)

    return parse


def _set_of(kind: str, plural: str, enum: type[E], example: str) -> Callable[[object], frozenset[E]]:
    def parse(value: object) -> frozenset[E]:
        if not isinstance(value, list) or not value:
            raise ValueError(f"must be a list of {plural}, like {example}, not {show(value)}")
        members: list[E] = []
        unknown: list[str] = []
        for item in value:
            try:
                members.append(_member(kind, plural, enum, item))
            except ValueError as error:
                unknown.append(str(error))
        if unknown:
            raise ValueError("; ".join(unknown))
        return frozenset(members)

    return parse


_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_duration(value: object) -> timedelta:
    """'2h', '45m', '1d', '4s', or combined largest unit first ('1h30m'); more than zero."""
    if isinstance(value, str) and (match := _DURATION.fullmatch(value.strip())) and any(match.groups()):
        days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
        duration = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if duration > timedelta(0):
            return duration
    raise ValueError(f"must be a duration like 3h or 45m (units d, h, m, s), not {show(value)}")


def _time_of_day(value: object) -> time:
    if isinstance(value, str) and re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError('must be a time like "21:00" in quotes (without quotes YAML reads 21:00 as a number)')
    raise ValueError(f'must be a 24-hour time like "21:00" or "07:30", not {show(value)}')


def _time_zone(value: object) -> str:
    if isinstance(value, str):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return value
    raise ValueError(f'unknown time zone {show(value)}; use a name like "Europe/London"')


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"must be true or false, not {show(value)}")


def _frailty(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9:
        return value
    raise ValueError(f"must be a whole number from 1 to 9 (Clinical Frailty Scale), not {show(value)}")


def _fraction(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1:
        return float(value)
    raise ValueError(f"must be a number between 0 and 1 (not 0 or 1 themselves), like 0.75, not {show(value)}")


def _version(value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f'must be text in quotes, like version: "2026.12.1" (unquoted, YAML reads it as the number {value})')
    raise ValueError(f'must be text naming this version of the rules, like "2026.12.1", not {show(value)}')


def _rule_name(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
        raise ValueError(f'must be lower-case words joined by hyphens, like "care-home-60-minutes", not {show(value)}')
    if value in RESERVED_NAMES:
        raise ValueError(f'"{value}" is recorded for the NEWS2 band of the observations; choose another name')
    return value


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise ValueError(f"must be text, not {show(value)}")


def duration_text(duration: timedelta) -> str:
    """A duration the way the rules file writes it: 1d, 2h30m, 45m."""
    seconds = int(duration.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


Duration = Annotated[timedelta, PlainValidator(parse_duration)]
TimeOfDay = Annotated[time, PlainValidator(_time_of_day)]
TimeZoneName = Annotated[str, PlainValidator(_time_zone)]
Flag = Annotated[bool | None, PlainValidator(_flag)]
Text = Annotated[str | None, PlainValidator(_text)]
Tier = Annotated[ResponseTier, PlainValidator(_one("tier", "tiers", ResponseTier))]
Lead = Annotated[LeadDiscipline, PlainValidator(_one("lead discipline", "lead disciplines", LeadDiscipline))]
Needs = Annotated[
    frozenset[PresentingNeed] | None,
    PlainValidator(_set_of("presenting need", "presenting needs", PresentingNeed, "[fall, reduced-function]")),
]
Bands = Annotated[frozenset[News2Band] | None, PlainValidator(_set_of("NEWS2 band", "NEWS2 bands", News2Band, "[medium, high]"))]
Tiers = Annotated[frozenset[ResponseTier] | None, PlainValidator(_set_of("tier", "tiers", ResponseTier, "[ucr-2h]"))]
Route = Annotated[ReferralRoute | None, PlainValidator(_one("route", "routes", ReferralRoute))]
Frailty = Annotated[int | None, PlainValidator(_frailty)]
Fraction = Annotated[float, PlainValidator(_fraction)]
Version = Annotated[str, PlainValidator(_version)]
RuleName = Annotated[str, PlainValidator(_rule_name)]

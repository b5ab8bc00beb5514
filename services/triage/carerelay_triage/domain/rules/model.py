"""The triage rules file: a versioned YAML file that a clinical lead can read and change (see RULES.md).

`load_rules(path)` reads a file and checks all of it before anything uses it. Every problem is
reported at once, one per line, naming the section, the rule and the field (and the line in the file),
so the service refuses to start on a bad file and says why. `decision.decide()` applies the rules;
this module only describes them and answers "does this rule's condition hold for these facts?".

Check a file without starting anything::

    python -m carerelay_triage.rules check [path]      # "ok: version X, N rules", or the problems and exit 1
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, model_validator

from carerelay_clinical.news2 import News2Band
from carerelay_contract.vocabulary import LeadDiscipline, PresentingNeed, ReferralRoute, ResponseTier

DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "triage-rules.yaml"
"""The rules the service uses unless `CARERELAY_TRIAGE_RULES_FILE` names another file."""

URGENCY: tuple[ResponseTier, ...] = (ResponseTier.UCR_2H, ResponseTier.RAPID, ResponseTier.FAST, ResponseTier.NORMAL)
"""The tiers, most urgent first. A raise rule only ever moves a referral towards the front."""

RULE_SECTIONS = ("tier_rules", "raise_rules", "deadline_rules", "lead_rules", "emergency_rules")
FIRST_MATCH_SECTIONS = ("tier_rules", "lead_rules")
"""Sections where the first rule that matches decides, so the last rule must match every referral."""

RESERVED_NAMES = frozenset(f"news2-{band.value}" for band in News2Band)
"""Recorded in rules_fired for the NEWS2 band of a referral's observations; not available as rule names."""


class RulesError(Exception):
    """A rules file that cannot be used. The message lists every problem, one per line."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) or tuple(message.splitlines())


@dataclass(frozen=True)
class ReferralFacts:
    """What a rule may ask about a referral. `tier` is the tier decided so far (None while tier rules run)."""

    needs: frozenset[PresentingNeed]
    route: ReferralRoute
    from_care_home: bool
    news2_band: News2Band | None
    clinical_frailty_scale: int | None
    received_in_night_hours: bool
    tier: ResponseTier | None = None


# ---------------------------------------------------------------- values, each with a message a clinical lead can act on


def _show(value: object) -> str:
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
    raise ValueError(f"unknown {kind} {_show(value)}{hint}")


def _one(kind: str, plural: str, enum: type[E]) -> Callable[[object], E]:
    def parse(value: object) -> E:
        return _member(kind, plural, enum, value)

    return parse


def _set_of(kind: str, plural: str, enum: type[E], example: str) -> Callable[[object], frozenset[E]]:
    def parse(value: object) -> frozenset[E]:
        if not isinstance(value, list) or not value:
            raise ValueError(f"must be a list of {plural}, like {example}, not {_show(value)}")
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
    raise ValueError(f"must be a duration like 3h or 45m (units d, h, m, s), not {_show(value)}")


def _time_of_day(value: object) -> time:
    if isinstance(value, str) and re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError('must be a time like "21:00" in quotes (without quotes YAML reads 21:00 as a number)')
    raise ValueError(f'must be a 24-hour time like "21:00" or "07:30", not {_show(value)}')


def _time_zone(value: object) -> str:
    if isinstance(value, str):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return value
    raise ValueError(f'unknown time zone {_show(value)}; use a name like "Europe/London"')


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"must be true or false, not {_show(value)}")


def _frailty(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9:
        return value
    raise ValueError(f"must be a whole number from 1 to 9 (Clinical Frailty Scale), not {_show(value)}")


def _fraction(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1:
        return float(value)
    raise ValueError(f"must be a number between 0 and 1 (not 0 or 1 themselves), like 0.75, not {_show(value)}")


def _version(value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f'must be text in quotes, like version: "2026.12.1" (unquoted, YAML reads it as the number {value})')
    raise ValueError(f'must be text naming this version of the rules, like "2026.12.1", not {_show(value)}')


def _rule_name(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
        raise ValueError(f'must be lower-case words joined by hyphens, like "care-home-60-minutes", not {_show(value)}')
    if value in RESERVED_NAMES:
        raise ValueError(f'"{value}" is recorded for the NEWS2 band of the observations; choose another name')
    return value


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise ValueError(f"must be text, not {_show(value)}")


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


# ---------------------------------------------------------------- the file's shape


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Conditions(_Model):
    """What must hold for a rule to apply. Every condition given must hold; none given matches every referral."""

    any_need: Needs = None
    """At least one of these presenting needs."""
    no_need: Needs = None
    """None of these presenting needs."""
    route: Route = None
    from_care_home: Flag = None
    news2_band: Bands = None
    """The NEWS2 band is one of these. Never holds when the referral has no observations."""
    clinical_frailty_scale_at_least: Frailty = None
    """The Clinical Frailty Scale is recorded and at least this. Never holds when it is not recorded."""
    received_in_night_hours: Flag = None
    """Received between `night.start` and `night.end` (local time), or not."""

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in type(self).model_fields)

    def holds(self, facts: ReferralFacts) -> bool:
        return (
            (self.any_need is None or bool(facts.needs & self.any_need))
            and (self.no_need is None or not facts.needs & self.no_need)
            and (self.route is None or facts.route == self.route)
            and (self.from_care_home is None or facts.from_care_home == self.from_care_home)
            and (self.news2_band is None or facts.news2_band in self.news2_band)
            and (
                self.clinical_frailty_scale_at_least is None
                or (
                    facts.clinical_frailty_scale is not None
                    and facts.clinical_frailty_scale >= self.clinical_frailty_scale_at_least
                )
            )
            and (self.received_in_night_hours is None or facts.received_in_night_hours == self.received_in_night_hours)
        )


class StageConditions(Conditions):
    """Conditions for rules that run after the tier is chosen: these may also ask about the tier."""

    tier: Tiers = None
    """The tier decided so far is one of these."""

    def holds(self, facts: ReferralFacts) -> bool:
        return super().holds(facts) and (self.tier is None or facts.tier in self.tier)


class _Rule(_Model):
    name: Annotated[str, PlainValidator(_rule_name)]
    """Recorded in the decision's rules_fired when the rule fires; unique in the file."""
    description: Text = None
    when: Conditions = Field(default_factory=Conditions)
    """All of these hold."""
    when_any: tuple[Conditions, ...] = Field(default=(), min_length=1)
    """At least one of these sets of conditions holds (as well as everything under `when`). Absent: no such test."""

    def is_catch_all(self) -> bool:
        return self.when.is_empty() and not self.when_any

    def applies(self, facts: ReferralFacts) -> bool:
        return self.when.holds(facts) and (not self.when_any or any(either.holds(facts) for either in self.when_any))


class _StageRule(_Rule):
    when: StageConditions = Field(default_factory=StageConditions)
    when_any: tuple[StageConditions, ...] = Field(default=(), min_length=1)


class TierRule(_Rule):
    """First match wins: the first tier rule that applies sets the tier."""

    then_tier: Tier


class RaiseRule(_StageRule):
    """Each that applies raises the tier to `then_raise_to`, if that is more urgent (never lowers it)."""

    then_raise_to: Tier


class DeadlineRule(_StageRule):
    """Each that applies brings the first-contact deadline forward to `then_respond_within` (never later)."""

    then_respond_within: Duration


class LeadRule(_StageRule):
    """First match wins: the first lead rule that applies sets the lead discipline."""

    then_lead: Lead


class EmergencyRule(_StageRule):
    """Each that applies fires and sets advise_emergency_services."""


class TierSetting(_Model):
    allowed: Duration
    """Time from referral to first contact."""
    description: Text = None


class TierTimes(_Model):
    ucr_2h: TierSetting = Field(alias="ucr-2h")
    rapid: TierSetting
    fast: TierSetting
    normal: TierSetting

    def of(self, tier: ResponseTier) -> TierSetting:
        return {
            ResponseTier.UCR_2H: self.ucr_2h,
            ResponseTier.RAPID: self.rapid,
            ResponseTier.FAST: self.fast,
            ResponseTier.NORMAL: self.normal,
        }[tier]

    @model_validator(mode="after")
    def _more_urgent_is_never_longer(self) -> TierTimes:
        for urgent, less in itertools.pairwise(URGENCY):
            if self.of(urgent).allowed > self.of(less).allowed:
                raise ValueError(
                    f"{urgent.value} is more urgent than {less.value} but allows longer "
                    f"({_duration_text(self.of(urgent).allowed)} against {_duration_text(self.of(less).allowed)})"
                )
        return self


class Night(_Model):
    """Night hours, for the condition `received_in_night_hours`. Start counts as night, end does not."""

    start: TimeOfDay = time(21, 0)
    end: TimeOfDay = time(7, 30)
    timezone: TimeZoneName = "Europe/London"

    @model_validator(mode="after")
    def _not_empty(self) -> Night:
        if self.start == self.end:
            raise ValueError("start and end are the same time, so night hours would be empty")
        return self

    def includes(self, at: datetime) -> bool:
        local = at.astimezone(ZoneInfo(self.timezone)).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


class TriageRules(_Model):
    """A checked rules file. Make one with `load_rules` (or `parse_rules`), which also checks the file as a whole."""

    version: Annotated[str, PlainValidator(_version)]
    """Recorded with every decision (rules_version): change it whenever a rule changes."""
    description: Text = None
    tiers: TierTimes
    at_risk_fraction: Annotated[float, PlainValidator(_fraction)] = 0.75
    """A response clock is at risk once this fraction of its allowed time has passed."""
    night: Night = Field(default_factory=Night)
    tier_rules: tuple[TierRule, ...]
    raise_rules: tuple[RaiseRule, ...] = ()
    deadline_rules: tuple[DeadlineRule, ...] = ()
    lead_rules: tuple[LeadRule, ...]
    emergency_rules: tuple[EmergencyRule, ...] = ()

    def allowed_time(self, tier: ResponseTier) -> timedelta:
        """Time from referral to first contact for a tier."""
        return self.tiers.of(tier).allowed

    def received_in_night_hours(self, received_at: datetime) -> bool:
        return self.night.includes(received_at)

    @property
    def rule_count(self) -> int:
        return sum(len(getattr(self, section)) for section in RULE_SECTIONS)


# ---------------------------------------------------------------- loading and checking


def load_rules(path: Path) -> TriageRules:
    """Read and check a rules file. Raises `RulesError` listing every problem, one per line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise RulesError(f"{path}: cannot read the rules file: {error.strerror or error}") from None
    return parse_rules(text, source=str(path))


def parse_rules(text: str, source: str = "rules") -> TriageRules:
    """Check YAML text as a rules file (what `load_rules` does once it has read the file)."""
    try:
        data: object = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise RulesError(f"{source}: not valid YAML: {error}") from None
    if data is None:
        raise RulesError(f"{source}: the file is empty")
    if not isinstance(data, dict):
        raise RulesError(f"{source}: the file must be sections of key: value lines (version:, tiers:, tier_rules:, ...)")

    problems: list[tuple[tuple[str | int, ...], str]] = list(_repeated_keys(root, ()))
    problems += _whole_file_problems(data)
    rules: TriageRules | None = None
    try:
        rules = TriageRules.model_validate(data)
    except ValidationError as error:
        problems += [(tuple(detail["loc"]), _message(detail)) for detail in error.errors(include_url=False)]
    if problems or rules is None:
        lines = _ordered(problems, data, root)
        count = f"{len(lines)} problem" + ("" if len(lines) == 1 else "s")
        raise RulesError(f"{source}: the triage rules are not valid ({count}):\n" + "\n".join(lines), lines)
    return rules


def _ordered(problems: list[tuple[tuple[str | int, ...], str]], data: dict[Any, Any], root: yaml.Node | None) -> list[str]:
    """One line per problem, in the order they appear in the file, each once."""
    placed = sorted(
        ((_line(root, loc), index, f"{_where(loc, data)}{message}") for index, (loc, message) in enumerate(problems)),
        key=lambda item: (item[0], item[1]),
    )
    lines: list[str] = []
    for line, _, text in placed:
        entry = f"{text} (line {line})" if line else text
        if entry not in lines:
            lines.append(entry)
    return lines


def _where(loc: tuple[str | int, ...], data: dict[Any, Any]) -> str:
    """`tier_rules[2] "severe-frailty-fast": when.clinical_frailty_scale_at_least: ` for a problem's location."""
    head = ""
    rest = loc
    if len(loc) >= 2 and loc[0] in RULE_SECTIONS and isinstance(loc[1], int):
        section, index = str(loc[0]), loc[1]
        head = f"{section}[{index}]"
        rules = data.get(section)
        if isinstance(rules, list) and index < len(rules) and isinstance(rules[index], dict):
            name = rules[index].get("name")
            if isinstance(name, str):
                head += f' "{name}"'
        rest = loc[2:]
    path = ""
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    where = ": ".join(part for part in (head, path) if part)
    return f"{where}: " if where else ""


def _message(detail: Any) -> str:
    kind: str = detail["type"]
    loc: tuple[str | int, ...] = tuple(detail["loc"])
    error = detail.get("ctx", {}).get("error")
    if error is not None:
        return str(error)
    if kind == "missing":
        if loc == ("version",):
            return 'missing: the file needs a version, like version: "2026.12.1", changed whenever a rule changes'
        if len(loc) == 2 and loc[0] == "tiers":
            return "missing: every tier (ucr-2h, rapid, fast, normal) needs an allowed time"
        if len(loc) == 3 and loc[0] == "tiers" and loc[2] == "allowed":
            return "missing: the time allowed from referral to first contact, like 3h"
        if len(loc) == 1 and loc[0] in FIRST_MATCH_SECTIONS:
            return "missing: the file needs this section"
        return "missing"
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"must be key: value lines, not {_show(detail.get('input'))}"
    if kind in {"tuple_type", "list_type"}:
        return f'must be a list (one "- " line for each), not {_show(detail.get("input"))}'
    if kind == "too_short":
        return "must not be empty"
    return str(detail["msg"])


def _unknown_key(loc: tuple[str | int, ...]) -> str:
    key, parent = str(loc[-1]), loc[:-1]
    model: type[BaseModel] | None
    if not parent:
        what, model = "section", TriageRules
    elif parent == ("tiers",):
        what, model = "tier", TierTimes
    elif parent[-1] == "when" or (len(parent) >= 2 and parent[-2] == "when_any" and isinstance(parent[-1], int)):
        if key == "tier" and parent[0] == "tier_rules":
            return 'unknown condition "tier": tier rules decide the tier, so only later rules can ask about it'
        what, model = "condition", Conditions if parent[0] == "tier_rules" else StageConditions
    elif len(parent) == 2 and parent[0] in RULE_SECTIONS:
        what, model = "key", _RULE_MODELS[str(parent[0])]
    elif len(parent) == 2 and parent[0] == "tiers":
        what, model = "key", TierSetting
    elif parent == ("night",):
        what, model = "key", Night
    else:
        what, model = "key", None
    choices = [field.alias or name for name, field in model.model_fields.items()] if model else []
    close = difflib.get_close_matches(key, choices, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    known = f"; known {what}s here: {', '.join(choices)}" if choices else ""
    return f'unknown {what} "{key}"{hint}{known}'


_RULE_MODELS: dict[str, type[BaseModel]] = {
    "tier_rules": TierRule,
    "raise_rules": RaiseRule,
    "deadline_rules": DeadlineRule,
    "lead_rules": LeadRule,
    "emergency_rules": EmergencyRule,
}


def _whole_file_problems(data: dict[Any, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """What no single field shows: repeated rule names, and first-match sections without a catch-all last."""
    first_use: dict[str, str] = {}
    for section in RULE_SECTIONS:
        rules = data.get(section)
        if not isinstance(rules, list):
            continue
        for index, rule in enumerate(rules):
            name = rule.get("name") if isinstance(rule, dict) else None
            if not isinstance(name, str):
                continue
            if name in first_use:
                yield (
                    (section, index, "name"),
                    f'"{name}" is already the name of {first_use[name]}; every rule needs its own name',
                )
            else:
                first_use[name] = f"{section}[{index}]"

    for section in FIRST_MATCH_SECTIONS:
        rules = data.get(section)
        if not isinstance(rules, list):
            continue
        if not rules:
            yield (section,), "must list at least one rule, the last with no conditions so that it matches every referral"
            continue
        catch_all = next((index for index, rule in enumerate(rules) if _is_catch_all(rule)), None)
        if catch_all is None:
            yield (
                (section, len(rules) - 1),
                "the last rule must have no conditions (no when: or when_any:), so that every referral gets one: "
                "the first rule that matches wins",
            )
        elif catch_all < len(rules) - 1:
            after = [_name_or_place(section, index, rules[index]) for index in range(catch_all + 1, len(rules))]
            yield (
                (section, catch_all),
                f"has no conditions, so it matches every referral and the rules after it can never apply: {', '.join(after)}",
            )


def _is_catch_all(rule: object) -> bool:
    return isinstance(rule, dict) and rule.get("when", {}) == {} and "when_any" not in rule


def _name_or_place(section: str, index: int, rule: object) -> str:
    name = rule.get("name") if isinstance(rule, dict) else None
    return f'"{name}"' if isinstance(name, str) else f"{section}[{index}]"


def _repeated_keys(node: yaml.Node | None, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """YAML keeps only the last of two equal keys; a clinical lead would not expect one line to be ignored."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                yield (*loc, key), f"given twice (lines {seen[key]} and {line}); YAML would silently use only the last"
            else:
                seen[key] = line
            yield from _repeated_keys(value_node, (*loc, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _repeated_keys(item, (*loc, index))


def _line(root: yaml.Node | None, loc: tuple[str | int, ...]) -> int:
    """The line of the deepest part of `loc` present in the file (0 if none)."""
    node, line = root, 0
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if str(key_node.value) == str(part):
                    child, line = value_node, key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def _duration_text(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


# ---------------------------------------------------------------- python -m carerelay_triage.rules check [path]


def main(argv: Sequence[str] | None = None) -> int:
    """`check [path]`: print "ok: version X, N rules" (exit 0), or every problem (exit 1)."""
    parser = argparse.ArgumentParser(prog="python -m carerelay_triage.rules", description="Check a triage rules file.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a rules file, as the service does at start-up")
    check.add_argument("path", nargs="?", type=Path, default=DEFAULT_RULES_FILE, help=f"default: {DEFAULT_RULES_FILE}")
    arguments = parser.parse_args(argv)
    try:
        rules = load_rules(arguments.path)
    except RulesError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"ok: version {rules.version}, {rules.rule_count} rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())

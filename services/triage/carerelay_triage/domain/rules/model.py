"""The triage rules as a model: what a checked rules file says (see RULES.md), and for each rule
"does its condition hold for these facts?". Make one with `parse.parse_rules`, which checks the
whole file first; `decision.decide()` applies it. Pure: no file is read here.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from carerelay_clinical.news2 import News2Band
from carerelay_contract.vocabulary import PresentingNeed, ReferralRoute, ResponseTier

from .values import (
    Bands,
    Duration,
    Flag,
    Fraction,
    Frailty,
    Lead,
    Needs,
    Route,
    RuleName,
    Text,
    Tier,
    Tiers,
    TimeOfDay,
    TimeZoneName,
    Version,
    duration_text,
)

URGENCY: tuple[ResponseTier, ...] = (ResponseTier.UCR_2H, ResponseTier.RAPID, ResponseTier.FAST, ResponseTier.NORMAL)
"""The tiers, most urgent first. A raise rule only ever moves a referral towards the front."""

RULE_SECTIONS = ("tier_rules", "raise_rules", "deadline_rules", "lead_rules", "emergency_rules")
FIRST_MATCH_SECTIONS = ("tier_rules", "lead_rules")
"""Sections where the first rule that matches decides, so the last rule must match every referral."""


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
    name: RuleName
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
                    f"({duration_text(self.of(urgent).allowed)} against {duration_text(self.of(less).allowed)})"
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
    """A checked rules file. Make one with `parse.parse_rules`, which also checks the file as a whole."""

    version: Version
    """Recorded with every decision (rules_version): change it whenever a rule changes."""
    description: Text = None
    tiers: TierTimes
    at_risk_fraction: Fraction = 0.75
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

"""The triage rules file: the default file loads, a bad file is refused with a message naming the rule
and the field, and a clinical lead's own file changes decisions exactly as written."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from carerelay_clinical.news2 import Acvpu
from carerelay_contract.referral import ReferralReceived
from carerelay_contract.vocabulary import LeadDiscipline, PresentingNeed, ReferralRoute, ResponseTier
from carerelay_testing.factories import referral_received
from carerelay_triage.domain.decision import decide
from carerelay_triage.domain.rules.model import RULE_SECTIONS, RulesError, StageConditions, TriageRules
from carerelay_triage.domain.rules.parse import parse_rules
from carerelay_triage.rules import DEFAULT_RULES_FILE, load_rules, main

WINTER_NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def referral(
    *,
    needs: list[PresentingNeed],
    route: ReferralRoute = ReferralRoute.STEP_UP,
    received_at: datetime = WINTER_NOON,
    **extra: Any,
) -> ReferralReceived:
    """Mrs A's `referral.received` (the shared factory) with these needs."""
    return ReferralReceived.model_validate(
        referral_received(received_at=received_at, route=route, presenting_needs=needs, reason="Test referral", **extra)
    )


def allowed(decision_deadline: datetime, received_at: datetime = WINTER_NOON) -> timedelta:
    return decision_deadline.astimezone(UTC) - received_at.astimezone(UTC)


def default_data() -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write(tmp_path: Path, content: dict[str, Any] | str) -> Path:
    path = tmp_path / "triage-rules.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def problems(tmp_path: Path, content: dict[str, Any] | str) -> tuple[str, ...]:
    with pytest.raises(RulesError) as refused:
        load_rules(write(tmp_path, content))
    return refused.value.problems


# ---------------------------------------------------------------- the default file


def test_the_default_file_loads_with_the_domain_numbers() -> None:
    rules = load_rules(DEFAULT_RULES_FILE)

    assert rules.version == "2026.11.1"
    assert [rules.allowed_time(tier) for tier in ResponseTier] == [
        timedelta(hours=2),
        timedelta(hours=3),
        timedelta(days=1),
        timedelta(days=3),
    ]
    assert rules.at_risk_fraction == 0.75
    assert (rules.night.start, rules.night.end, rules.night.timezone) == (time(21, 0), time(7, 30), "Europe/London")
    assert [rule.name for rule in rules.tier_rules] == [
        "ucr-clinical-need",
        "step-down-next-day",
        "severe-frailty-fast",
        "default-normal",
    ]
    assert [rule.name for rule in rules.raise_rules] == ["news2-urgent-review-rapid"]
    assert [(rule.name, rule.then_respond_within) for rule in rules.deadline_rules] == [
        ("care-home-60-minutes", timedelta(minutes=60))
    ]
    assert [rule.name for rule in rules.lead_rules] == [
        "lead-nurse-clinical-need",
        "lead-therapist-function",
        "lead-social-care",
        "lead-nurse-default",
    ]
    assert [rule.name for rule in rules.emergency_rules] == ["news2-emergency-advise-999"]
    assert rules.rule_count == 11


def test_a_decision_by_the_default_file_carries_its_version_and_tier_time() -> None:
    rules = load_rules(DEFAULT_RULES_FILE)

    decision = decide(referral(needs=[PresentingNeed.WOUND_CARE]), rules)

    assert decision.rules_version == rules.version == "2026.11.1"
    assert decision.tier == ResponseTier.NORMAL
    assert allowed(decision.first_contact_deadline) == rules.allowed_time(ResponseTier.NORMAL) == timedelta(days=3)


def test_a_decision_records_the_version_of_the_rules_that_made_it(tmp_path: Path) -> None:
    data = default_data()
    data["version"] = "2027.01-trial"

    decision = decide(referral(needs=[PresentingNeed.WOUND_CARE]), load_rules(write(tmp_path, data)))

    assert decision.rules_version == "2027.01-trial"
    default = load_rules(DEFAULT_RULES_FILE)
    assert decide(referral(needs=[PresentingNeed.WOUND_CARE]), default).rules_version == default.version


# ---------------------------------------------------------------- a bad file is refused, naming the rule and the field


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set a value by a dotted path ("tier_rules.0.when.any_need"); `...` deletes it."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key: Any = int(last) if isinstance(target, list) else last
        if value is ...:
            del target[key]
        else:
            target[key] = value

    return change


BAD_FILES = [
    pytest.param(
        _set("tier_rules.0.when.any_need", ["fall", "fal"]),
        'tier_rules[0] "ucr-clinical-need": when.any_need: unknown presenting need "fal" (did you mean "fall"?)',
        id="unknown-need",
    ),
    pytest.param(
        _set("deadline_rules.0.when.any_need", ["fal"]),
        'deadline_rules[0] "care-home-60-minutes": when.any_need: unknown presenting need "fal"',
        id="unknown-need-in-a-later-rule",
    ),
    pytest.param(
        _set("lead_rules.0.when_any.1.news2_band", ["amber"]),
        'lead_rules[0] "lead-nurse-clinical-need": when_any[1].news2_band: unknown NEWS2 band "amber"',
        id="unknown-news2-band",
    ),
    pytest.param(
        _set("tiers.rapid.allowed", "3 hours"),
        'tiers.rapid.allowed: must be a duration like 3h or 45m (units d, h, m, s), not "3 hours"',
        id="bad-tier-duration",
    ),
    pytest.param(
        _set("tiers.normal.allowed", 3), "tiers.normal.allowed: must be a duration like 3h or 45m", id="duration-without-unit"
    ),
    pytest.param(_set("tiers.fast.allowed", "0m"), "tiers.fast.allowed: must be a duration like 3h or 45m", id="zero-duration"),
    pytest.param(
        _set("deadline_rules.0.then_respond_within", "an hour"),
        'deadline_rules[0] "care-home-60-minutes": then_respond_within: must be a duration like 3h or 45m',
        id="bad-rule-duration",
    ),
    pytest.param(_set("version", ...), "version: missing", id="missing-version"),
    pytest.param(_set("version", 2026.1), 'version: must be text in quotes, like version: "2026.12.1"', id="unquoted-version"),
    pytest.param(_set("version", ""), "version: must be text naming this version", id="empty-version"),
    pytest.param(
        _set("tiers.urgent", {"allowed": "1h"}),
        'tiers.urgent: unknown tier "urgent"; known tiers here: ucr-2h, rapid, fast, normal',
        id="unknown-tier-in-tiers",
    ),
    pytest.param(
        _set("tier_rules.1.then_tier", "quick"),
        'tier_rules[1] "step-down-next-day": then_tier: unknown tier "quick"; the tiers are: ucr-2h, rapid, fast, normal',
        id="unknown-tier-in-a-rule",
    ),
    pytest.param(
        _set("deadline_rules.0.when.tier", ["ucr2h"]),
        'deadline_rules[0] "care-home-60-minutes": when.tier: unknown tier "ucr2h" (did you mean "ucr-2h"?)',
        id="unknown-tier-in-a-condition",
    ),
    pytest.param(
        _set("tiers.fast", ...),
        "tiers.fast: missing: every tier (ucr-2h, rapid, fast, normal) needs an allowed time",
        id="missing-tier",
    ),
    pytest.param(_set("at_risk_fraction", 1.5), "at_risk_fraction: must be a number between 0 and 1", id="fraction-above-1"),
    pytest.param(_set("at_risk_fraction", 0), "at_risk_fraction: must be a number between 0 and 1", id="fraction-0"),
    pytest.param(_set("at_risk_fraction", 1), "at_risk_fraction: must be a number between 0 and 1", id="fraction-1"),
    pytest.param(_set("at_risk_fraction", "75%"), "at_risk_fraction: must be a number between 0 and 1", id="fraction-text"),
    pytest.param(
        _set("lead_rules.3.name", "ucr-clinical-need"),
        'lead_rules[3] "ucr-clinical-need": name: "ucr-clinical-need" is already the name of tier_rules[0]; '
        "every rule needs its own name",
        id="duplicate-rule-names",
    ),
    pytest.param(
        _set("tier_rules.1.when", {"rout": "step-down"}),
        'tier_rules[1] "step-down-next-day": when.rout: unknown condition "rout" (did you mean "route"?)',
        id="unknown-condition",
    ),
    pytest.param(
        _set("tier_rules.1.when.tier", ["fast"]),
        'tier_rules[1] "step-down-next-day": when.tier: unknown condition "tier": tier rules decide the tier',
        id="tier-condition-in-a-tier-rule",
    ),
    pytest.param(
        _set("lead_rules.1.then_leed", "therapist"),
        'lead_rules[1] "lead-therapist-function": then_leed: unknown key "then_leed" (did you mean "then_lead"?)',
        id="unknown-rule-key",
    ),
    pytest.param(
        _set("tier_rule", []), 'tier_rule: unknown section "tier_rule" (did you mean "tier_rules"?)', id="unknown-section"
    ),
    pytest.param(
        _set("tier_rules.1.when.route", "step_down"),
        'tier_rules[1] "step-down-next-day": when.route: unknown route "step_down" (did you mean "step-down"?)',
        id="unknown-route",
    ),
    pytest.param(
        _set("tier_rules.2.when.clinical_frailty_scale_at_least", 10),
        'tier_rules[2] "severe-frailty-fast": when.clinical_frailty_scale_at_least: must be a whole number from 1 to 9',
        id="frailty-out-of-range",
    ),
    pytest.param(
        _set("deadline_rules.0.when.from_care_home", "yes please"),
        'deadline_rules[0] "care-home-60-minutes": when.from_care_home: must be true or false',
        id="not-a-flag",
    ),
    pytest.param(
        _set("lead_rules.2.then_lead", "doctor"),
        'lead_rules[2] "lead-social-care": then_lead: unknown lead discipline "doctor"',
        id="unknown-lead",
    ),
    pytest.param(
        _set("tier_rules.3.when", {"route": "step-up"}),
        'tier_rules[3] "default-normal": the last rule must have no conditions',
        id="no-catch-all-tier-rule",
    ),
    pytest.param(
        _set("lead_rules.0", {"name": "lead-everyone-nurse", "then_lead": "nurse"}),
        'lead_rules[0] "lead-everyone-nurse": has no conditions, so it matches every referral and the rules after it can never '
        'apply: "lead-therapist-function", "lead-social-care", "lead-nurse-default"',
        id="rule-after-a-catch-all",
    ),
    pytest.param(_set("tier_rules", []), "tier_rules: must list at least one rule", id="no-tier-rules"),
    pytest.param(_set("lead_rules", ...), "lead_rules: missing", id="no-lead-rules"),
    pytest.param(
        _set("tier_rules.0.name", "UCR need"),
        'tier_rules[0] "UCR need": name: must be lower-case words joined by hyphens',
        id="bad-rule-name",
    ),
    pytest.param(
        _set("raise_rules.0.name", "news2-medium"),
        'raise_rules[0] "news2-medium": name: "news2-medium" is recorded for the NEWS2 band',
        id="reserved-rule-name",
    ),
    pytest.param(
        _set("lead_rules.0.when_any", []),
        'lead_rules[0] "lead-nurse-clinical-need": when_any: must not be empty',
        id="empty-when-any",
    ),
    pytest.param(
        _set("tier_rules.1.then_tier", ...), 'tier_rules[1] "step-down-next-day": then_tier: missing', id="missing-then"
    ),
    pytest.param(_set("night.start", 1260), 'night.start: must be a time like "21:00" in quotes', id="unquoted-night-time"),
    pytest.param(
        _set("night.timezone", "Europe/Londn"), 'night.timezone: unknown time zone "Europe/Londn"', id="unknown-time-zone"
    ),
    pytest.param(_set("night.end", "21:00"), "night: start and end are the same time", id="empty-night"),
    pytest.param(
        _set("tiers.rapid.allowed", "2d"),
        "tiers: rapid is more urgent than fast but allows longer (2d against 1d)",
        id="more-urgent-tier-allows-longer",
    ),
]


@pytest.mark.parametrize(("change", "expected"), BAD_FILES)
def test_a_bad_file_is_refused_naming_the_rule_and_the_field(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    data = default_data()
    change(data)

    found = problems(tmp_path, data)

    assert any(expected in line for line in found), "\n".join(found)
    assert len(found) == 1, "\n".join(found)


def test_every_problem_is_listed_one_per_line_in_file_order_with_its_line(tmp_path: Path) -> None:
    data = default_data()
    del data["version"]
    data["tiers"]["rapid"]["allowed"] = "3 hours"
    data["tier_rules"][0]["when"]["any_need"].append("fal")
    data["lead_rules"][2]["name"] = "ucr-clinical-need"
    path = write(tmp_path, data)

    with pytest.raises(RulesError) as refused:
        load_rules(path)

    message = str(refused.value)
    header, *lines = message.splitlines()
    assert header == f"{path}: the triage rules are not valid (4 problems):"
    assert lines == list(refused.value.problems)
    assert [line.split(":")[0] for line in lines] == [
        "version",
        "tiers.rapid.allowed",
        'tier_rules[0] "ucr-clinical-need"',
        'lead_rules[2] "ucr-clinical-need"',
    ]
    text = path.read_text(encoding="utf-8").splitlines()
    rapid = text.index("  rapid:") + 2  # 1-based line of `allowed:` under it
    assert lines[1].endswith(f"(line {rapid})")


def test_a_key_given_twice_is_refused_rather_than_silently_overwritten(tmp_path: Path) -> None:
    text = DEFAULT_RULES_FILE.read_text(encoding="utf-8").replace(
        "    then_tier: fast\n", "    then_tier: fast\n    then_tier: normal\n", 1
    )

    found = problems(tmp_path, text)

    assert len(found) == 1
    assert found[0].startswith('tier_rules[1] "step-down-next-day": then_tier: given twice (lines ')


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("", "the file is empty", id="empty"),
        pytest.param("version: '1\n", "not valid YAML", id="not-yaml"),
        pytest.param("- version: '1'\n", "the file must be sections of key: value lines", id="a-list"),
    ],
)
def test_a_file_that_is_not_rules_at_all(tmp_path: Path, content: str, expected: str) -> None:
    with pytest.raises(RulesError, match=expected):
        load_rules(write(tmp_path, content))


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read the rules file"):
        load_rules(tmp_path / "nowhere.yaml")


# ---------------------------------------------------------------- a clinical lead's own file


TINY_CLOCKS = """
version: "test-1"
tiers:
  ucr-2h: {allowed: 1s}
  rapid: {allowed: 2s}
  fast: {allowed: 3s}
  normal: {allowed: 4s}
at_risk_fraction: 0.5
tier_rules:
  - name: night-step-up-fast
    description: A test rule, not a clinical one
    when: {route: step-up, received_in_night_hours: true}
    then_tier: fast
  - name: ucr-falls
    when: {any_need: [fall]}
    then_tier: ucr-2h
  - name: everyone-normal
    then_tier: normal
lead_rules:
  - name: therapist-for-falls-unless-medication
    when: {any_need: [fall], no_need: [medication]}
    then_lead: therapist
  - name: nurse-otherwise
    then_lead: nurse
"""


@pytest.fixture
def tiny(tmp_path: Path) -> TriageRules:
    return load_rules(write(tmp_path, TINY_CLOCKS))


def test_the_tiers_durations_are_the_deadlines(tiny: TriageRules) -> None:
    assert tiny.at_risk_fraction == 0.5
    assert [tiny.allowed_time(tier) for tier in ResponseTier] == [timedelta(seconds=seconds) for seconds in (1, 2, 3, 4)]

    normal = decide(referral(needs=[PresentingNeed.WOUND_CARE]), tiny)
    ucr = decide(referral(needs=[PresentingNeed.FALL]), tiny)

    assert (normal.tier, allowed(normal.first_contact_deadline)) == (ResponseTier.NORMAL, timedelta(seconds=4))
    assert (ucr.tier, allowed(ucr.first_contact_deadline)) == (ResponseTier.UCR_2H, timedelta(seconds=1))


def test_a_custom_file_decides_as_written(tiny: TriageRules) -> None:
    """No NEWS2 raise, care-home or emergency rules in this file, so none of them fire."""
    decision = decide(
        referral(
            needs=[PresentingNeed.FALL, PresentingNeed.MEDICATION],
            from_care_home=True,
            observations={
                "respiration_rate": 26,
                "spo2_percent": 92,
                "on_supplemental_oxygen": False,
                "systolic_bp": 95,
                "pulse": 125,
                "consciousness": Acvpu.ALERT,
                "temperature_celsius": 39.2,
            },
        ),
        tiny,
    )

    assert decision.tier == ResponseTier.UCR_2H
    assert decision.lead_discipline == LeadDiscipline.NURSE  # the no_need: [medication] condition
    assert allowed(decision.first_contact_deadline) == timedelta(seconds=1)
    assert decision.news2_score == 11
    assert decision.advise_emergency_services is False
    assert decision.rules_fired == ("ucr-falls", "news2-high", "nurse-otherwise")
    assert decision.rules_version == "test-1"


@pytest.mark.parametrize(
    ("received_at", "night"),
    [
        pytest.param(datetime(2026, 7, 1, 20, 30, tzinfo=UTC), True, id="21:30-BST"),
        pytest.param(datetime(2026, 12, 1, 20, 30, tzinfo=UTC), False, id="20:30-GMT"),
        pytest.param(datetime(2026, 12, 1, 21, 0, tzinfo=UTC), True, id="21:00-GMT-start-is-night"),
        pytest.param(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), True, id="03:00-GMT"),
        pytest.param(datetime(2026, 12, 1, 7, 29, tzinfo=UTC), True, id="07:29-GMT"),
        pytest.param(datetime(2026, 12, 1, 7, 30, tzinfo=UTC), False, id="07:30-GMT-end-is-day"),
        pytest.param(datetime(2026, 7, 1, 6, 45, tzinfo=UTC), False, id="07:45-BST"),
    ],
)
def test_received_in_night_hours_is_london_local_time(tiny: TriageRules, received_at: datetime, night: bool) -> None:
    decision = decide(referral(needs=[PresentingNeed.WOUND_CARE], received_at=received_at), tiny)

    assert (decision.tier == ResponseTier.FAST) is night
    assert decision.rules_fired[0] == ("night-step-up-fast" if night else "everyone-normal")
    assert allowed(decision.first_contact_deadline, received_at) == timedelta(seconds=3 if night else 4)


def test_night_hours_can_be_changed(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, TINY_CLOCKS + 'night: {start: "01:00", end: "05:00", timezone: UTC}\n'))

    at_0030 = decide(referral(needs=[PresentingNeed.WOUND_CARE], received_at=datetime(2026, 7, 1, 0, 30, tzinfo=UTC)), rules)
    at_0100 = decide(referral(needs=[PresentingNeed.WOUND_CARE], received_at=datetime(2026, 7, 1, 1, 0, tzinfo=UTC)), rules)

    assert (at_0030.tier, at_0100.tier) == (ResponseTier.NORMAL, ResponseTier.FAST)


def test_a_step_down_at_night_is_not_caught_by_a_step_up_rule(tiny: TriageRules) -> None:
    decision = decide(
        referral(
            needs=[PresentingNeed.REABLEMENT], route=ReferralRoute.STEP_DOWN, received_at=datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
        ),
        tiny,
    )

    assert decision.rules_fired[0] == "everyone-normal"


def test_without_a_deadline_rule_a_care_home_gets_the_tier_clock(tmp_path: Path) -> None:
    data = default_data()
    del data["deadline_rules"]
    rules = load_rules(write(tmp_path, data))

    decision = decide(referral(needs=[PresentingNeed.URGENT_CATHETER_CARE], from_care_home=True), rules)

    assert allowed(decision.first_contact_deadline) == timedelta(hours=2)
    assert decision.rules_fired == ("ucr-clinical-need", "lead-nurse-clinical-need")


def test_a_deadline_rule_never_makes_the_deadline_later(tmp_path: Path) -> None:
    data = default_data()
    data["deadline_rules"][0]["then_respond_within"] = "3h"
    rules = load_rules(write(tmp_path, data))

    decision = decide(referral(needs=[PresentingNeed.URGENT_CATHETER_CARE], from_care_home=True), rules)

    assert allowed(decision.first_contact_deadline) == timedelta(hours=2)
    assert "care-home-60-minutes" not in decision.rules_fired


def test_a_raise_rule_never_lowers_the_tier(tmp_path: Path) -> None:
    data = default_data()
    data["raise_rules"].append({"name": "everyone-at-least-fast", "then_raise_to": "fast"})
    rules = load_rules(write(tmp_path, data))

    ucr = decide(referral(needs=[PresentingNeed.FALL]), rules)
    normal = decide(referral(needs=[PresentingNeed.WOUND_CARE]), rules)

    assert (ucr.tier, ucr.rules_fired) == (ResponseTier.UCR_2H, ("ucr-clinical-need", "lead-therapist-function"))
    assert (normal.tier, normal.rules_fired) == (
        ResponseTier.FAST,
        ("default-normal", "everyone-at-least-fast", "lead-nurse-clinical-need"),
    )


def test_durations_may_combine_units(tmp_path: Path) -> None:
    data = default_data()
    data["tiers"]["rapid"]["allowed"] = "2h30m"

    assert load_rules(write(tmp_path, data)).allowed_time(ResponseTier.RAPID) == timedelta(hours=2, minutes=30)


def test_rules_are_not_changed_by_editing_the_loaded_data(tmp_path: Path) -> None:
    """The loaded rules are frozen: what was checked at start-up is what decides."""
    rules = load_rules(DEFAULT_RULES_FILE)
    before = copy.deepcopy(rules.model_dump())

    with pytest.raises(ValueError, match="frozen"):
        rules.tier_rules[0].name = "something-else"  # type: ignore[misc]

    assert rules.model_dump() == before


# ---------------------------------------------------------------- RULES.md


def test_the_annotated_example_in_rules_md_loads_and_uses_every_condition() -> None:
    rules_md = (DEFAULT_RULES_FILE.parent.parent / "RULES.md").read_text(encoding="utf-8")
    example = rules_md.split("```yaml\n", 1)[1].split("```", 1)[0]

    rules = parse_rules(example, source="RULES.md")

    used = {
        condition
        for section in RULE_SECTIONS
        for rule in getattr(rules, section)
        for conditions in (rule.when, *rule.when_any)
        for condition in type(conditions).model_fields
        if getattr(conditions, condition) is not None
    }
    assert used == set(StageConditions.model_fields)
    live = load_rules(DEFAULT_RULES_FILE)
    assert {rule.name for rule in rules.tier_rules} - {rule.name for rule in live.tier_rules} == {"night-step-up-fast-example"}


# ---------------------------------------------------------------- python -m carerelay_triage.rules check [path]


def test_check_says_ok_for_a_good_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out == f"ok: version {load_rules(DEFAULT_RULES_FILE).version}, 11 rules\n"


def test_check_lists_the_problems_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = default_data()
    data["tier_rules"][0]["when"]["any_need"].append("fal")
    data["at_risk_fraction"] = 2

    assert main(["check", str(write(tmp_path, data))]) == 1
    output = capsys.readouterr()
    assert output.out == ""
    assert "(2 problems)" in output.err
    assert "at_risk_fraction: must be a number between 0 and 1" in output.err
    assert 'tier_rules[0] "ucr-clinical-need": when.any_need: unknown presenting need "fal"' in output.err


def test_check_runs_as_a_module(tmp_path: Path) -> None:
    good = subprocess.run(
        [sys.executable, "-m", "carerelay_triage.rules", "check", str(write(tmp_path, TINY_CLOCKS))],
        capture_output=True,
        text=True,
        check=False,
    )
    bad = subprocess.run(
        [sys.executable, "-m", "carerelay_triage.rules", "check", str(tmp_path / "nowhere.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert (good.returncode, good.stdout) == (0, "ok: version test-1, 5 rules\n")
    assert bad.returncode == 1
    assert "cannot read the rules file" in bad.stderr

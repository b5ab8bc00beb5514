"""Checking a rules file's text: YAML in, a `TriageRules` out, or `RulesError` listing every problem
at once, one per line, in file order, each naming the section, the rule, the field and the line, so
the service refuses a bad file and says why. Pure: the caller reads the file (carerelay_triage.rules).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .model import (
    FIRST_MATCH_SECTIONS,
    RULE_SECTIONS,
    Conditions,
    DeadlineRule,
    EmergencyRule,
    LeadRule,
    Night,
    RaiseRule,
    RulesError,
    StageConditions,
    TierRule,
    TierSetting,
    TierTimes,
    TriageRules,
)
from .values import show


def parse_rules(text: str, source: str = "rules") -> TriageRules:
    """Check YAML text as a rules file; `source` names it in the messages (the file's path)."""
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
        return f"must be key: value lines, not {show(detail.get('input'))}"
    if kind in {"tuple_type", "list_type"}:
        return f'must be a list (one "- " line for each), not {show(detail.get("input"))}'
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

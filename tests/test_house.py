"""The house's shape, checked from the code: every service has the same rooms, its `domain/` is pure
(no database, HTTP or Kafka), SQL runs only in its `store/`, events are published only through the
outbox's one way (`carerelay_events.case.emit` or a handler's `context.emit`), and each event type has
exactly one producing service and at least one consuming service (or is published for integrators)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from carerelay_contract.catalogue import CATALOGUE, PUBLISHED_FOR_INTEGRATORS

REPO = Path(__file__).resolve().parents[1]
SERVICES = ("referral", "triage", "scheduling", "notifications")
ROOMS = ("__main__.py", "app.py", "settings.py", "api", "handlers", "domain", "store")
IMPURE = ("asyncpg", "fastapi", "starlette", "aiokafka", "faust", "httpx", "uvicorn", "carerelay_events", "carerelay_service")
SQL_CALLS = {"execute", "executemany", "fetch", "fetchrow", "fetchval", "copy_records_to_table"}


def package(service: str) -> Path:
    return REPO / "services" / service / f"carerelay_{service}"


def modules(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.py") if "__pycache__" not in path.parts)


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_rooms(service: str) -> None:
    missing = [room for room in ROOMS if not (package(service) / room).exists()]
    assert not missing, f"{service} has no {missing}"


@pytest.mark.parametrize("service", SERVICES)
def test_a_services_domain_imports_no_database_http_or_kafka(service: str) -> None:
    for path in modules(package(service) / "domain"):
        bad = {name for name in imported(path) if name.split(".")[0] in IMPURE}
        assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}: domain/ must stay pure"


@pytest.mark.parametrize("service", SERVICES)
def test_sql_runs_only_in_a_services_store(service: str) -> None:
    for path in modules(package(service)):
        if "store" in path.relative_to(package(service)).parts:
            continue
        calls = [
            node.lineno
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS
        ]
        assert not calls, f"{path.relative_to(REPO)} runs SQL on lines {calls}: move it to store/"


@pytest.mark.parametrize("service", SERVICES)
def test_events_leave_only_through_the_one_way(service: str) -> None:
    for path in modules(package(service)):
        text = path.read_text()
        assert not re.search(r"\boutbox\.add\(", text), f"{path.relative_to(REPO)} calls outbox.add: use case.emit"
        assert "case_span(" not in text, f"{path.relative_to(REPO)} opens a case span itself: use case.emit"


def _named(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def producers_and_consumers() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(event class -> services constructing it, event class -> services handling it by name), read from
    the code: `VisitCancelled(...)` makes one; `@handlers.on(VisitCancelled)` (or `visit_events.VisitCancelled`)
    consumes it. A starred argument (every type on a topic: the hub's timeline, the live feed) is a
    catch-all, not a consumer; a `case VisitCancelled():` in a match makes nothing."""
    names = {cls.__name__ for cls in CATALOGUE}
    made: dict[str, set[str]] = {name: set() for name in names}
    handled: dict[str, set[str]] = {name: set() for name in names}
    for service in SERVICES:
        for path in modules(package(service)):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                called = _named(node.func)
                if called in names:
                    made[called].add(service)
                if isinstance(node.func, ast.Attribute) and node.func.attr == "on":
                    for argument in node.args:
                        named = _named(argument)
                        if named in names:
                            handled[named].add(service)
    return made, handled


def test_each_event_type_has_one_producing_service() -> None:
    made, _ = producers_and_consumers()
    shared = {name: sorted(by) for name, by in made.items() if len(by) > 1}
    assert not shared, f"event types with more than one producer: {shared}"


def test_every_event_has_a_producer_and_a_consumer_or_is_published_for_integrators() -> None:
    """An event nobody acts on is a dead end; one nobody makes is a promise the contract cannot keep
    (issue 15). The types only integrators read are marked in the catalogue."""
    made, handled = producers_and_consumers()
    dead_ends = {}
    for cls in CATALOGUE:
        missing = [] if made[cls.__name__] else ["producer"]
        if not handled[cls.__name__] and cls not in PUBLISHED_FOR_INTEGRATORS:
            missing.append("consumer")
        if missing:
            dead_ends[cls.event_type] = missing
    assert not dead_ends, f"without a producer or a consumer: {dead_ends}"


def test_the_reading_of_producers_and_consumers_sees_what_it_should() -> None:
    made, handled = producers_and_consumers()
    assert made["EpisodeClosed"] == {"scheduling"}
    assert made["PatientAdmitted"] == {"referral"}
    assert handled["VisitCancelled"] == {"notifications", "triage"}, "`visit_events.VisitCancelled` counts too"
    assert "referral" not in handled["CarePlanChangeProposed"], "the hub's timeline takes every type: not a consumer"
    assert "referral" not in made["CarePlanUpdated"], "a `case CarePlanUpdated():` in a match makes nothing"

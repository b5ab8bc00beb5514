from __future__ import annotations

import copy
import json
from typing import Any

from carerelay_contract.referral import ReferralReceived
from carerelay_contract.schemas import SCHEMA_DIR, asyncapi_document, check, compatibility_problems, event_schema


def test_committed_schemas_are_current_and_backward_compatible() -> None:
    """Fails when a change breaks compatibility with libs/events/schemas, or the files are stale."""
    assert check() == []


def test_the_asyncapi_document_lists_every_topic_and_message() -> None:
    committed = json.loads((SCHEMA_DIR / "asyncapi.json").read_text())
    assert committed["asyncapi"] == "3.0.0"
    assert committed == asyncapi_document()
    assert "ReferralReceived" in committed["components"]["messages"]
    assert committed["channels"]["referral"]["address"] == "carerelay.referral.v1"


def _schema() -> dict[str, Any]:
    return event_schema(ReferralReceived)


def test_removing_a_field_is_incompatible() -> None:
    new = _schema()
    del new["properties"]["reason"]
    assert any("reason: field removed" in problem for problem in compatibility_problems(_schema(), new))


def test_retyping_a_field_is_incompatible() -> None:
    new = _schema()
    new["properties"]["consent_to_share"] = {"type": "string"}
    assert any("consent_to_share: type changed" in problem for problem in compatibility_problems(_schema(), new))


def test_making_an_optional_field_required_is_incompatible() -> None:
    new = _schema()
    new["required"] = [*new["required"], "known_risks"]
    assert any("known_risks: newly required" in problem for problem in compatibility_problems(_schema(), new))


def test_a_nested_field_removed_is_incompatible() -> None:
    old = _schema()
    new = copy.deepcopy(old)
    del new["$defs"]["Patient"]["properties"]["postcode"]
    assert any("patient.postcode: field removed" in problem for problem in compatibility_problems(old, new))


def test_adding_an_optional_field_is_compatible() -> None:
    new = _schema()
    new["properties"]["preferred_language"] = {"type": "string"}
    assert compatibility_problems(_schema(), new) == []

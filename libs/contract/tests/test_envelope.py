from __future__ import annotations

from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from carerelay_contract.catalogue import CATALOGUE, EVENT_TYPES
from carerelay_contract.envelope import decode, encode_data, encode_headers, new_metadata
from carerelay_contract.errors import InvalidMessage, UnknownEventType
from carerelay_contract.referral import ReferralReceived
from carerelay_contract.topics import TOPICS


def test_every_event_type_is_unique_and_on_a_registered_topic() -> None:
    assert len(EVENT_TYPES) == len(CATALOGUE)
    for cls in CATALOGUE:
        assert cls.ce_type().startswith("uk.nhs.carerelay.")
        assert cls.ce_type().endswith(".v1")
        assert cls.topic in TOPICS


def test_round_trip_keeps_the_event_and_its_cloudevents_attributes(referral_data: dict[str, Any]) -> None:
    event = ReferralReceived.model_validate(referral_data)
    metadata = new_metadata(event, "/carerelay/referral", correlation_id="case-1")
    headers = encode_headers(metadata, {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
    names = [name for name, _ in headers]
    assert {"ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type", "traceparent"} <= set(names)
    envelope = decode(headers, encode_data(event))
    assert envelope.event == event
    assert envelope.metadata.id == metadata.id
    assert envelope.metadata.source == "/carerelay/referral"
    assert envelope.metadata.correlation_id == "case-1"
    assert envelope.metadata.subject == str(event.episode_id)
    assert envelope.metadata.trace_headers["traceparent"].startswith("00-0af7")


def _headers(ce_type: str = "uk.nhs.carerelay.referral.received.v1") -> list[tuple[str, bytes]]:
    return [
        ("ce_specversion", b"1.0"),
        ("ce_id", b"id-1"),
        ("ce_source", b"/test"),
        ("ce_type", ce_type.encode()),
        ("content-type", b"application/json"),
    ]


def test_undecodable_data_is_invalid_with_the_reason() -> None:
    with pytest.raises(InvalidMessage, match="not valid JSON"):
        decode(_headers(), b"{not json")


def test_missing_cloudevents_header_is_invalid() -> None:
    with pytest.raises(InvalidMessage, match="missing CloudEvents header ce_type"):
        decode([h for h in _headers() if h[0] != "ce_type"], b"{}")


def test_unknown_type_is_invalid_and_says_which_type() -> None:
    with pytest.raises(UnknownEventType, match="unknown event type") as caught:
        decode(_headers("uk.nhs.carerelay.nonsense.v1"), b"{}")
    assert isinstance(caught.value, InvalidMessage), "a caller that must refuse it still can"
    assert caught.value.event_type == "uk.nhs.carerelay.nonsense.v1"


def test_a_known_event_with_fields_this_version_does_not_know_is_read_without_them(referral_data: dict[str, Any]) -> None:
    """A tolerant reader: a producer deployed before its consumers may add optional fields, at any depth."""
    expected = ReferralReceived.model_validate(referral_data)
    newer = {**referral_data, "preferred_language": "cy", "patient": {**referral_data["patient"], "pronouns": "she/her"}}
    newer["referrer"] = {**referral_data["referrer"], "bleep": "1234"}
    envelope = decode(_headers(), orjson.dumps(newer))
    assert envelope.event == expected
    assert "preferred_language" not in envelope.event.model_dump()


def test_what_a_service_builds_to_emit_is_still_validated_strictly(referral_data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ReferralReceived.model_validate({**referral_data, "preferred_language": "cy"})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ReferralReceived(**{**referral_data, "preferred_language": "cy"})


def test_tolerance_of_new_fields_does_not_excuse_a_missing_one(referral_data: dict[str, Any]) -> None:
    renamed = {key: value for key, value in referral_data.items() if key != "referral_id"} | {"referral_uuid": "x"}
    with pytest.raises(InvalidMessage, match="referral_id: Field required"):
        decode(_headers(), orjson.dumps(renamed))


def test_schema_invalid_names_the_field_without_echoing_personal_data(referral_data: dict[str, Any]) -> None:
    referral_data["patient"]["nhs_number"] = "9990000019"
    with pytest.raises(InvalidMessage) as caught:
        decode(_headers(), orjson.dumps(referral_data))
    assert "patient.nhs_number" in caught.value.reason
    assert "check digit" in caught.value.reason
    assert "9990000019" not in caught.value.reason
    assert "Archer" not in caught.value.reason


def test_date_of_birth_in_the_future_is_refused(referral_data: dict[str, Any]) -> None:
    referral_data["patient"]["date_of_birth"] = "2999-01-01"
    with pytest.raises(InvalidMessage, match="date_of_birth is in the future"):
        decode(_headers(), orjson.dumps(referral_data))

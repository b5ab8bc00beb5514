from __future__ import annotations

from typing import Any

import orjson
import pytest

from carerelay_contract.catalogue import CATALOGUE, EVENT_TYPES
from carerelay_contract.envelope import decode, encode_data, encode_headers, new_metadata
from carerelay_contract.errors import InvalidMessage
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


def test_unknown_type_is_invalid() -> None:
    with pytest.raises(InvalidMessage, match="unknown event type"):
        decode(_headers("uk.nhs.carerelay.nonsense.v1"), b"{}")


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

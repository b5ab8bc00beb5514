"""CloudEvents binary mode on Kafka: the event's attributes in `ce_*` headers, its data as the value.

See the CloudEvents Kafka protocol binding. `source` + `id` identify a duplicate. The record key is the
episode id. W3C `traceparent`/`tracestate` and the case's correlation id travel as headers too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import uuid4

import orjson
from pydantic import ValidationError

from .catalogue import event_class
from .errors import InvalidMessage, UnknownEventType
from .model import Event

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
CORRELATION_HEADER = "carerelay_correlationid"

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class EventMetadata:
    """The CloudEvents context attributes of one event, plus the case's correlation id."""

    id: str
    source: str
    type: str
    time: datetime
    subject: str | None = None
    correlation_id: str | None = None
    trace_headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Envelope:
    metadata: EventMetadata
    event: Event


def new_metadata(event: Event, source: str, *, correlation_id: str | None = None, event_id: str | None = None) -> EventMetadata:
    return EventMetadata(
        id=event_id or str(uuid4()),
        source=source,
        type=event.ce_type(),
        time=datetime.now(UTC),
        subject=event.partition_key(),
        correlation_id=correlation_id,
    )


def encode_headers(metadata: EventMetadata, trace_headers: dict[str, str] | None = None) -> Headers:
    headers: Headers = [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", metadata.id.encode()),
        ("ce_source", metadata.source.encode()),
        ("ce_type", metadata.type.encode()),
        ("ce_time", metadata.time.isoformat().encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if metadata.subject:
        headers.append(("ce_subject", metadata.subject.encode()))
    if metadata.correlation_id:
        headers.append((CORRELATION_HEADER, metadata.correlation_id.encode()))
    for name, value in (trace_headers if trace_headers is not None else metadata.trace_headers).items():
        headers.append((name, value.encode()))
    return headers


def encode_data(event: Event) -> bytes:
    return orjson.dumps(event.model_dump(mode="json"))


def header_map(headers: Iterable[tuple[str, bytes | None]]) -> dict[str, str]:
    """Kafka headers as text; a header that is not UTF-8 makes the message invalid."""
    result: dict[str, str] = {}
    for name, value in headers:
        if value is None:
            continue
        try:
            result[name] = value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidMessage(f"header {name!r} is not UTF-8") from exc
    return result


def decode_metadata(headers: Sequence[tuple[str, bytes | None]]) -> EventMetadata:
    """Read the CloudEvents attributes; raise InvalidMessage naming what is missing or wrong."""
    values = header_map(headers)
    for required in ("ce_specversion", "ce_id", "ce_source", "ce_type"):
        if not values.get(required):
            raise InvalidMessage(f"missing CloudEvents header {required}")
    if values["ce_specversion"] != SPEC_VERSION:
        raise InvalidMessage(f"unsupported ce_specversion {values['ce_specversion']!r}")
    content_type = values.get("content-type", CONTENT_TYPE)
    if content_type.split(";")[0].strip() != CONTENT_TYPE:
        raise InvalidMessage(f"unsupported content-type {content_type!r}")
    raw_time = values.get("ce_time")
    try:
        time = datetime.fromisoformat(raw_time) if raw_time else datetime.now(UTC)
    except ValueError as exc:
        raise InvalidMessage("ce_time is not an RFC 3339 timestamp") from exc
    trace: dict[str, str] = {name: values[name] for name in ("traceparent", "tracestate") if name in values}
    return EventMetadata(
        id=values["ce_id"],
        source=values["ce_source"],
        type=values["ce_type"],
        time=time,
        subject=values.get("ce_subject"),
        correlation_id=values.get(CORRELATION_HEADER),
        trace_headers=trace,
    )


def describe_validation_error(error: ValidationError) -> str:
    """Which fields and why, without echoing the input (it may hold personal data)."""
    parts = []
    for item in error.errors(include_input=False, include_url=False)[:10]:
        location = ".".join(str(part) for part in item["loc"]) or "(event)"
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)


def decode_event(metadata: EventMetadata, value: bytes | None) -> Event:
    """The catalogue event for these attributes and data, or InvalidMessage with the reason
    (UnknownEventType when the type is not in the catalogue).

    A tolerant reader: fields the catalogue does not know, at any depth, are ignored, so a producer
    upgraded first may add an optional field without its consumers refusing the event. What a
    service builds and emits is still validated strictly (`extra="forbid"` on every model)."""
    cls = event_class(metadata.type)
    if cls is None:
        raise UnknownEventType(metadata.type)
    if value is None:
        raise InvalidMessage("the message has no data")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise InvalidMessage(f"data is not valid JSON ({exc.msg})") from exc
    try:
        return cls.model_validate(data, extra="ignore")
    except ValidationError as exc:
        raise InvalidMessage(f"schema-invalid {metadata.type}: {describe_validation_error(exc)}") from exc


def decode(headers: Sequence[tuple[str, bytes | None]], value: bytes | None) -> Envelope:
    metadata = decode_metadata(headers)
    return Envelope(metadata=metadata, event=decode_event(metadata, value))

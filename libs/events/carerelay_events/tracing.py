"""Tracing helpers: W3C trace context in Kafka headers, and spans named by the OpenTelemetry
messaging conventions (`publish <topic>` for the producer, `process <topic>` around each handler).

Spans carry ids and event types only: never an NHS number, a name or an address.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from uuid import UUID

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Span, SpanKind

from .settings import TracingSettings

TRACER_NAME = "carerelay.events"


def configure_tracing(
    service_name: str, settings: TracingSettings | None = None, exporter: SpanExporter | None = None
) -> TracerProvider:
    """Install the process's tracer provider. An OTLP/HTTP exporter is used when the settings name
    an endpoint; tests may pass their own exporter instead."""
    settings = settings or TracingSettings()
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if exporter is None and settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=settings.otlp_endpoint)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=settings.export_delay_ms))
    trace.set_tracer_provider(provider)
    return provider


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def current_trace_headers() -> dict[str, str]:
    """The current context as W3C `traceparent` (and `tracestate`) header values."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier


@contextmanager
def publish_span(topic: str, event_type: str, message_id: str, key: str, parent_headers: Mapping[str, str]) -> Iterator[Span]:
    """A PRODUCER span, child of the context the event was created in (kept in the outbox row)."""
    parent = extract(dict(parent_headers))
    with tracer().start_as_current_span(
        f"publish {topic}",
        context=parent,
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.operation.name": "publish",
            "messaging.destination.name": topic,
            "messaging.message.id": message_id,
            "messaging.kafka.message.key": key,
            "cloudevents.event_type": event_type,
        },
    ) as span:
        yield span


@contextmanager
def process_span(
    topic: str,
    consumer_group: str,
    headers: Mapping[str, str],
    *,
    message_id: str | None,
    event_type: str | None,
    partition: int,
    offset: int,
    key: bytes | None = None,
) -> Iterator[Span]:
    """A CONSUMER span around one handler, continuing the producer's trace from the headers. The
    record key (the episode id) is kept as on the producer's span, so a case's spans can be found by it."""
    parent = extract(dict(headers))
    attributes: dict[str, str | int] = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.destination.name": topic,
        "messaging.consumer.group.name": consumer_group,
        "messaging.destination.partition.id": str(partition),
        "messaging.kafka.offset": offset,
    }
    if message_id:
        attributes["messaging.message.id"] = message_id
    if (episode_key := _episode_key(key)) is not None:
        attributes["messaging.kafka.message.key"] = episode_key
    if event_type:
        attributes["cloudevents.event_type"] = event_type
    token = otel_context.attach(parent)
    try:
        with tracer().start_as_current_span(f"process {topic}", kind=SpanKind.CONSUMER, attributes=attributes) as span:
            yield span
    finally:
        otel_context.detach(token)


def _episode_key(key: bytes | None) -> str | None:
    """The record key if it is an episode id (a UUID): a malformed record's key is not trusted into a span."""
    try:
        return str(UUID(key.decode())) if key else None
    except (UnicodeDecodeError, ValueError):
        return None


@contextmanager
def case_span(name: str, case_headers: Mapping[str, str]) -> Iterator[Span]:
    """A span in the case's own trace (the trace of the referral's first request), linked to the
    current request's trace. Later work on a case (acceptance, additions) stays in one trace."""
    current = trace.get_current_span().get_span_context()
    links = [trace.Link(current)] if current.is_valid else []
    with tracer().start_as_current_span(name, context=extract(dict(case_headers)), links=links, kind=SpanKind.INTERNAL) as span:
        yield span

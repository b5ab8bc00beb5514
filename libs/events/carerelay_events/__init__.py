"""CareRelay's shared event contract. See libs/events/README.md."""

from .catalogue import CATALOGUE, EVENT_TYPES, Event, event_class
from .envelope import Envelope, EventMetadata
from .errors import InvalidMessage
from .nhs_number import NhsNumber, is_valid_nhs_number, validate_nhs_number
from .topics import TOPICS, Topic, topic_name

__all__ = [
    "CATALOGUE",
    "EVENT_TYPES",
    "TOPICS",
    "Envelope",
    "Event",
    "EventMetadata",
    "InvalidMessage",
    "NhsNumber",
    "Topic",
    "event_class",
    "is_valid_nhs_number",
    "topic_name",
    "validate_nhs_number",
]

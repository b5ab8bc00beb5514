"""The one interface every channel implements, and what a send attempt can come to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from carerelay_contract.vocabulary import NotificationChannel


@dataclass(frozen=True)
class Outgoing:
    """One message, ready for a channel: resolved just before sending, never logged."""

    notification_id: UUID
    template: str
    subject: str
    body: str
    to: str = ""
    """An email address, a mobile number or a URL, by channel (empty for in-app and letters)."""
    postal_address: tuple[str, ...] = ()
    payload: bytes | None = None
    """For webhooks: the JSON document posted (e.g. the GP's FHIR Bundle)."""
    content_type: str = "application/json"
    correlation_id: str | None = None


class Outcome(StrEnum):
    DELIVERED = "delivered"
    TRANSIENT = "transient"
    """Try again later (a connection refused, a timeout, a 4xx SMTP reply, HTTP 429 or 5xx)."""
    PERMANENT = "permanent"
    """Never going to work (an address refused, HTTP 400): failed for good, the hub is told."""


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    reason: str = ""
    """Short, and free of any address, name or number (it goes into events and logs)."""

    @classmethod
    def delivered(cls) -> DeliveryResult:
        return cls(Outcome.DELIVERED)

    @classmethod
    def transient(cls, reason: str) -> DeliveryResult:
        return cls(Outcome.TRANSIENT, reason)

    @classmethod
    def permanent(cls, reason: str) -> DeliveryResult:
        return cls(Outcome.PERMANENT, reason)


class Channel(Protocol):
    kind: NotificationChannel

    async def send(self, message: Outgoing) -> DeliveryResult: ...

"""Where a message goes, looked up just before it is sent (so current details and settings apply):
an email address, a mobile number, a postal address or an endpoint URL. The message row holds only
an opaque recipient reference."""

from __future__ import annotations

from dataclasses import replace

import asyncpg
import orjson

from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel, PreferredChannel
from carerelay_events.db import DbConnection

from . import store
from .channels.base import Outgoing
from .consent import Contact
from .settings import NotificationsSettings


class Unreachable(Exception):
    """No address for this recipient on this channel (a permanent failure); the reason names no one."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def postal_lines(name: str, address: str, postcode: str) -> tuple[str, ...]:
    lines = [name, *(part.strip() for part in address.split(",") if part.strip()), postcode]
    return tuple(lines[:7])


async def outgoing(conn: DbConnection, row: asyncpg.Record, settings: NotificationsSettings) -> Outgoing:
    """The message ready for its channel, or Unreachable."""
    channel, audience, ref = NotificationChannel(row["channel"]), NotificationAudience(row["audience"]), row["recipient_ref"]
    base = Outgoing(
        notification_id=row["notification_id"],
        template=row["template"],
        subject=row["subject"],
        body=row["body"],
        correlation_id=row["correlation_id"],
    )
    match channel:
        case NotificationChannel.IN_APP:
            return base
        case NotificationChannel.WEBHOOK:
            url = _endpoint(audience, ref, settings)
            if not url:
                raise Unreachable("no endpoint configured")
            payload = row["payload"].encode() if row["payload"] is not None else orjson.dumps({"message": row["body"]})
            content_type = "application/fhir+json" if audience is NotificationAudience.GP else "application/json"
            return replace(base, to=url, payload=payload, content_type=content_type)
    if audience is NotificationAudience.FIELD_STAFF:
        address = settings.staff_emails.get(ref) if channel is NotificationChannel.EMAIL else None
    elif audience in (NotificationAudience.HUB, NotificationAudience.COORDINATOR):
        address = settings.hub_email if channel is NotificationChannel.EMAIL else None
    else:
        details = await store.contact_details(conn, row["episode_id"], ref)
        if details is None:
            raise Unreachable("recipient unknown")
        if channel is NotificationChannel.LETTER:
            if details["address"] is None:
                raise Unreachable("no postal address")
            lines = postal_lines(details["name"], details["address"], details["postcode"])
            return replace(base, postal_address=lines)
        address = details["email"] if channel is NotificationChannel.EMAIL else details["mobile"]
    if not address:
        raise Unreachable(f"no {channel.value} address")
    return replace(base, to=address)


def _endpoint(audience: NotificationAudience, ref: str, settings: NotificationsSettings) -> str | None:
    if audience is NotificationAudience.GP:
        return settings.gp_endpoints.get(ref) or settings.gp_endpoint_default
    return settings.integrator_webhook_url


async def contact_now(conn: DbConnection, row: asyncpg.Record) -> Contact | None:
    """The patient or family member as they stand now (for the send-time consent check)."""
    details = await store.contact_details(conn, row["episode_id"], row["recipient_ref"])
    if details is None:
        return None
    return Contact(
        ref=row["recipient_ref"],
        preferred_channel=PreferredChannel(details["preferred_channel"]),
        has_email=bool(details["email"]),
        has_mobile=bool(details["mobile"]),
        may_be_told_plan=details["may_be_told_plan"],
    )

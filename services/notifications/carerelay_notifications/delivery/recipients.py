"""Where a message goes, looked up just before it is sent (so current details and settings apply):
an email address, a mobile number, a postal address or an endpoint URL. The message row holds only
an opaque recipient reference."""

from __future__ import annotations

from dataclasses import replace

import orjson

from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel
from carerelay_events.db import DbConnection

from ..channels.base import Outgoing
from ..domain.messages import Message
from ..settings import NotificationsSettings
from ..store import patients


class Unreachable(Exception):
    """No address for this recipient on this channel (a permanent failure); the reason names no one."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def postal_lines(name: str, address: str, postcode: str) -> tuple[str, ...]:
    """A letter's address: the name, the address's comma-separated parts and the postcode (at most seven lines)."""
    lines = [name, *(part.strip() for part in address.split(",") if part.strip()), postcode]
    return tuple(lines[:7])


async def outgoing(conn: DbConnection, message: Message, settings: NotificationsSettings) -> Outgoing:
    """The message ready for its channel, or Unreachable."""
    channel, audience, ref = message.channel, message.audience, message.recipient_ref
    base = Outgoing(
        notification_id=message.notification_id,
        template=message.template,
        subject=message.subject,
        body=message.body,
        correlation_id=message.correlation_id,
    )
    match channel:
        case NotificationChannel.IN_APP:
            return base
        case NotificationChannel.WEBHOOK:
            url = _endpoint(audience, ref, settings)
            if not url:
                raise Unreachable("no endpoint configured")
            payload = message.payload.encode() if message.payload is not None else orjson.dumps({"message": message.body})
            content_type = "application/fhir+json" if audience is NotificationAudience.GP else "application/json"
            return replace(base, to=url, payload=payload, content_type=content_type)
    if audience is NotificationAudience.FIELD_STAFF:
        address = settings.staff_emails.get(ref) if channel is NotificationChannel.EMAIL else None
    elif audience in (NotificationAudience.HUB, NotificationAudience.COORDINATOR):
        address = settings.hub_email if channel is NotificationChannel.EMAIL else None
    elif audience is NotificationAudience.REFERRER:
        found = await patients.referrer(conn, message.episode_id)
        if found is None:
            raise Unreachable("recipient unknown")
        address = found.email if channel is NotificationChannel.EMAIL else found.callback_number
    else:
        details = await patients.contact_details(conn, message.episode_id, ref)
        if details is None:
            raise Unreachable("recipient unknown")
        if channel is NotificationChannel.LETTER:
            if details.address is None or details.postcode is None:
                raise Unreachable("no postal address")
            return replace(base, postal_address=postal_lines(details.name, details.address, details.postcode))
        address = details.email if channel is NotificationChannel.EMAIL else details.mobile
    if not address:
        raise Unreachable(f"no {channel.value} address")
    return replace(base, to=address)


def _endpoint(audience: NotificationAudience, ref: str, settings: NotificationsSettings) -> str | None:
    if audience is NotificationAudience.GP:
        return settings.gp_endpoints.get(ref) or settings.gp_endpoint_default
    return settings.integrator_webhook_url

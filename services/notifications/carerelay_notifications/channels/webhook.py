"""Webhooks to integrators and GP practices: a JSON (or FHIR JSON) POST, signed with HMAC-SHA256 over
the timestamp and body (`signature.py`). `X-Request-ID` is the notification id, the same on every
retry (the BaRS idempotency key), so a receiver can drop a repeat."""

from __future__ import annotations

import time

import httpx

from carerelay_contract.vocabulary import NotificationChannel

from ..domain.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from ..settings import NotificationsSettings
from .base import DeliveryResult, Outgoing

RETRYABLE_STATUS = frozenset({408, 425, 429})


def signed_headers(message: Outgoing, secret: bytes, now: float | None = None) -> dict[str, str]:
    body = message.payload or b""
    timestamp = int(now if now is not None else time.time())
    headers = {
        "Content-Type": message.content_type,
        "X-Request-ID": str(message.notification_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    if message.correlation_id:
        headers["X-Correlation-ID"] = message.correlation_id
    return headers


class WebhookChannel:
    kind = NotificationChannel.WEBHOOK

    def __init__(self, settings: NotificationsSettings) -> None:
        assert settings.webhook_secret is not None
        self.secret = settings.webhook_secret.get_secret_value().encode()
        self.timeout = settings.webhook_timeout_seconds

    async def send(self, message: Outgoing) -> DeliveryResult:
        try:
            async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
                response = await client.post(
                    message.to, content=message.payload or b"", headers=signed_headers(message, self.secret)
                )
        except httpx.HTTPError as error:
            return DeliveryResult.transient(f"endpoint unavailable: {type(error).__name__}")
        status = response.status_code
        if 200 <= status < 300:
            return DeliveryResult.delivered()
        if status in RETRYABLE_STATUS or status >= 500:
            return DeliveryResult.transient(f"HTTP {status}")
        return DeliveryResult.permanent(f"HTTP {status}")

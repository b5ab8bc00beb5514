"""SMS and letters through GOV.UK Notify, with its official Python client. The client is synchronous
(requests), so each call runs in a worker thread. The notification id is sent as Notify's `reference`,
so a message can be traced in Notify without any personal data in it.

Templates are set up in Notify with one `((body))` placeholder (letters also take the address lines)."""

from __future__ import annotations

import asyncio
from typing import Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from carerelay_contract.vocabulary import NotificationChannel

from ..settings import NotificationsSettings
from .base import DeliveryResult, Outgoing

RETRYABLE_STATUS = frozenset({408, 429})


class NotifyChannel:
    def __init__(self, settings: NotificationsSettings, kind: NotificationChannel) -> None:
        assert settings.notify_api_key is not None
        self.kind = kind
        template = settings.notify_sms_template_id if kind is NotificationChannel.SMS else settings.notify_letter_template_id
        assert template is not None
        self.template_id = template
        self.client: Any = NotificationsAPIClient(  # type: ignore[no-untyped-call]
            settings.notify_api_key.get_secret_value(), base_url=settings.notify_base_url, timeout=settings.notify_timeout_seconds
        )

    def _send(self, message: Outgoing) -> Any:
        reference = str(message.notification_id)
        if self.kind is NotificationChannel.SMS:
            return self.client.send_sms_notification(
                phone_number=message.to, template_id=self.template_id, personalisation={"body": message.body}, reference=reference
            )
        lines = {f"address_line_{number}": line for number, line in enumerate(message.postal_address[:7], start=1)}
        return self.client.send_letter_notification(
            template_id=self.template_id, personalisation={**lines, "body": message.body}, reference=reference
        )

    async def send(self, message: Outgoing) -> DeliveryResult:
        if self.kind is NotificationChannel.LETTER and len(message.postal_address) < 3:
            return DeliveryResult.permanent("a letter needs at least three address lines")
        try:
            await asyncio.to_thread(self._send, message)
        except APIError as error:
            status = error.status_code
            if status in RETRYABLE_STATUS or status >= 500:
                return DeliveryResult.transient(f"Notify {status}")
            return DeliveryResult.permanent(f"Notify {status}")
        except OSError as error:
            return DeliveryResult.transient(f"Notify unavailable: {type(error).__name__}")
        return DeliveryResult.delivered()

"""In-app: the message row is the inbox (`GET /api/notifications/messages`), so storing it delivers it."""

from __future__ import annotations

from carerelay_contract.vocabulary import NotificationChannel

from .base import DeliveryResult, Outgoing


class InAppChannel:
    kind = NotificationChannel.IN_APP

    async def send(self, message: Outgoing) -> DeliveryResult:
        return DeliveryResult.delivered()

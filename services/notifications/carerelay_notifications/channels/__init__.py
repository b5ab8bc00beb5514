"""Channels behind one interface (`base.Channel`): in-app, email (SMTP), SMS and letters (GOV.UK
Notify), webhooks (signed). `configured_channels` builds the ones the settings turn on."""

from __future__ import annotations

from carerelay_contract.vocabulary import NotificationChannel

from ..settings import NotificationsSettings
from .base import Channel, DeliveryResult, Outgoing
from .email import EmailChannel
from .in_app import InAppChannel
from .notify import NotifyChannel
from .webhook import WebhookChannel


def configured_channels(settings: NotificationsSettings) -> dict[NotificationChannel, Channel]:
    channels: dict[NotificationChannel, Channel] = {NotificationChannel.IN_APP: InAppChannel()}
    if settings.smtp_host:
        channels[NotificationChannel.EMAIL] = EmailChannel(settings)
    if settings.notify_api_key:
        if settings.notify_sms_template_id:
            channels[NotificationChannel.SMS] = NotifyChannel(settings, NotificationChannel.SMS)
        if settings.notify_letter_template_id:
            channels[NotificationChannel.LETTER] = NotifyChannel(settings, NotificationChannel.LETTER)
    if settings.webhook_secret:
        channels[NotificationChannel.WEBHOOK] = WebhookChannel(settings)
    return channels


__all__ = ["Channel", "DeliveryResult", "Outgoing", "configured_channels"]

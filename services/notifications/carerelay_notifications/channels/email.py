"""Email over SMTP (aiosmtplib). The Message-ID is derived from the notification id, so a retry after
an uncertain failure carries the same id and mail systems can drop the duplicate.

Only the server's 5xx to the recipient (RCPT TO) or to the message for it (DATA) fails a message for
good; anything else (no connection, a timeout, a 4xx, a 5xx greeting, HELO, AUTH or MAIL FROM: the
server or our account, not the recipient) is tried again."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from carerelay_contract.vocabulary import NotificationChannel

from ..settings import NotificationsSettings
from .base import DeliveryResult, Outgoing


def message_id(notification_id: object, domain: str) -> str:
    return f"<{notification_id}@{domain}>"


def build_email(message: Outgoing, settings: NotificationsSettings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.email_from
    email["To"] = message.to
    email["Subject"] = message.subject or "CareRelay"
    email["Date"] = formatdate(localtime=False, usegmt=True)
    email["Message-ID"] = message_id(message.notification_id, settings.message_id_domain)
    if message.correlation_id:
        email["X-Correlation-ID"] = message.correlation_id
    email.set_content(message.body)
    return email


def permanent(code: int) -> bool:
    return 500 <= code < 600


def recipient_refused(codes: list[int]) -> DeliveryResult:
    """A 5xx for the recipient is a permanent refusal (no such mailbox); a 4xx (451, 452) is tried again."""
    if codes and all(permanent(code) for code in codes):
        return DeliveryResult.permanent(f"recipient refused ({codes[0]})")
    return DeliveryResult.transient(f"recipient deferred ({codes[0] if codes else 'no code'})")


class EmailChannel:
    kind = NotificationChannel.EMAIL

    def __init__(self, settings: NotificationsSettings) -> None:
        self.settings = settings

    async def send(self, message: Outgoing) -> DeliveryResult:
        settings = self.settings
        assert settings.smtp_host is not None
        try:
            await aiosmtplib.send(
                build_email(message, settings),
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
                start_tls=settings.smtp_starttls,
                use_tls=settings.smtp_tls,
                timeout=settings.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:  # RCPT TO: the answer about this recipient
            return recipient_refused(sorted({error.code for error in refused.recipients}))
        except aiosmtplib.SMTPRecipientRefused as refused:
            return recipient_refused([refused.code])
        except aiosmtplib.SMTPDataError as error:  # DATA: this message refused for its one recipient
            if permanent(error.code):
                return DeliveryResult.permanent(f"message refused ({error.code})")
            return DeliveryResult.transient(f"message deferred ({error.code})")
        except aiosmtplib.SMTPResponseException as error:
            # The greeting, HELO, AUTH or MAIL FROM refused: the server or our account, not this recipient
            # (e.g. 554 while it is out of service, 535 until credentials are fixed). Tried again, not failed.
            return DeliveryResult.transient(f"SMTP server refused ({error.code}, {type(error).__name__})")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            return DeliveryResult.transient(f"SMTP unavailable: {type(error).__name__}")
        return DeliveryResult.delivered()

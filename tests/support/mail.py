"""A local SMTP server (aiosmtpd) for tests of messages to people: what it received, and addresses it
answers `451 try again later` to keep a message waiting."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message as EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from .system import free_port


@dataclass
class Mailbox:
    received: list[EmailMessage] = field(default_factory=list)
    deferred: set[str] = field(default_factory=set)
    """Addresses answered `451 try again later` (a transient failure), to keep a message waiting."""

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]) -> str:
        if address in self.deferred:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.received.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [mail for mail in self.received if mail["To"] == address]


class SmtpServer:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

"""The notifications service's settings (environment, prefix `CARERELAY_NOTIFICATIONS_`).

A channel with no settings is off: no SMTP host, no email; no GOV.UK Notify key, no SMS or letters;
no webhook secret, no webhooks (the GP's discharge summary is a signed webhook too)."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from carerelay_access.settings import SecuredServiceSettings

from .domain.reach import Reach


class NotificationsSettings(SecuredServiceSettings):
    """Read once, by `__main__`; the parts the triggers need are handed down as a `Reach`."""

    model_config = SettingsConfigDict(env_prefix="CARERELAY_NOTIFICATIONS_", frozen=True, extra="ignore")

    database_url: str = "postgresql://carerelay_notifications:carerelay_notifications@127.0.0.1:55432/carerelay_notifications"
    port: int = 8104

    # ---- email over SMTP
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    """Upgrade the connection with STARTTLS (port 587)."""
    smtp_tls: bool = False
    """Implicit TLS from the first byte (port 465)."""
    smtp_timeout_seconds: float = 10.0
    email_from: str = "CareRelay <no-reply@carerelay.invalid>"
    message_id_domain: str = "carerelay.invalid"
    """The right-hand side of each email's Message-ID (`<notification id>@domain`), stable across retries."""

    # ---- SMS and letters through GOV.UK Notify
    notify_api_key: SecretStr | None = None
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_sms_template_id: str | None = None
    notify_letter_template_id: str | None = None
    notify_timeout_seconds: float = 10.0

    # ---- webhooks (integrators and GP practices), signed with HMAC-SHA256
    webhook_secret: SecretStr | None = None
    webhook_timeout_seconds: float = 10.0
    integrator_webhook_url: str | None = None
    """Where hub alerts (clock at risk or breached, missed and unassignable visits, dead letters) are also posted."""
    gp_endpoint_default: str | None = None
    """Where GP messages go (discharge summaries, urgent messages) when the practice has no endpoint of its own."""
    gp_endpoints: dict[str, str] = Field(default_factory=dict)
    """Per GP practice code, e.g. `{"C82001": "https://gp-connect.example/inbox"}` (JSON)."""

    # ---- optional email copies for staff and the hub
    hub_email: str | None = None
    staff_emails: dict[str, str] = Field(default_factory=dict)
    """Per staff id, for field staff who want assignment changes by email too (JSON)."""

    # ---- when and how hard to try
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(8, 0)
    """Non-urgent patient and family messages wait until this time. Equal start and end: no quiet hours."""
    timezone: str = "Europe/London"
    urgent_visit_within_minutes: int = 240
    """A visit assigned with a deadline this close (or a first response) is urgent for the staff member."""
    delivery_base_backoff_seconds: float = 30.0
    delivery_max_backoff_seconds: float = 900.0
    """The longest wait between two tries of a message its channel keeps failing transiently (SMTP or the
    endpoint down, 4xx SMTP replies, HTTP 408/429/5xx): it is tried for as long as that lasts, never failed
    for it; only a permanent refusal fails a message for good."""
    delivery_poll_seconds: float = 1.0
    delivery_concurrency: int = 2
    hub_digest_seconds: float = Field(default=60.0, ge=0, le=3600)
    """A hub alert a re-plan can raise for many visits (a visit nobody can take) waits this long for its
    email, and every such alert waiting by then goes in the same email: one digest, not one email each."""

    def reach(self) -> Reach:
        """What the triggers may use: local time, quiet hours, urgency, and which optional channels are on."""
        webhooks = self.webhook_secret is not None
        return Reach(
            zone=ZoneInfo(self.timezone),
            quiet_hours_start=self.quiet_hours_start,
            quiet_hours_end=self.quiet_hours_end,
            urgent_visit_within=timedelta(minutes=self.urgent_visit_within_minutes),
            staff_with_email=frozenset(self.staff_emails) if self.smtp_host else frozenset(),
            hub_email=bool(self.smtp_host and self.hub_email),
            integrator_webhook=bool(webhooks and self.integrator_webhook_url),
            gp_practices=frozenset(code for code, url in self.gp_endpoints.items() if url) if webhooks else frozenset(),
            gp_default_endpoint=bool(webhooks and self.gp_endpoint_default),
            digest_window=timedelta(seconds=self.hub_digest_seconds),
        )

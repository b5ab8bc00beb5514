"""What this deployment can reach, and when: the facts the triggers need from the service's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from carerelay_contract.vocabulary import NotificationAudience

from .digest import DEFAULT_WINDOW
from .quiet_hours import hold_until


@dataclass(frozen=True)
class Reach:
    """Local time (for quiet hours and the times in messages), how close a deadline makes a visit
    urgent, and which optional channels are on (a channel with no settings is off)."""

    zone: ZoneInfo
    quiet_hours_start: time
    quiet_hours_end: time
    urgent_visit_within: timedelta
    staff_with_email: frozenset[str] = frozenset()
    """Staff ids that also get their assignment messages by email (email on and an address set)."""
    hub_email: bool = False
    """Hub alerts also by email."""
    integrator_webhook: bool = False
    """Hub alerts also posted to the integrator's webhook."""
    gp_practices: frozenset[str] = frozenset()
    """GP practices with a webhook endpoint of their own."""
    gp_default_endpoint: bool = False
    """A default endpoint for every other practice."""
    digest_window: timedelta = DEFAULT_WINDOW
    """How long a hub alert that goes in the digest email waits for others to join it."""

    def reaches_gp(self, practice: str) -> bool:
        """Whether the practice can be sent a message (a signed webhook)."""
        return self.gp_default_endpoint or practice in self.gp_practices

    def hold_until(self, now: datetime, audience: NotificationAudience, urgent: bool) -> datetime | None:
        """When a message due at `now` may go, if quiet hours hold it; None when it may go now."""
        return hold_until(now, audience, urgent, self.quiet_hours_start, self.quiet_hours_end, self.zone)

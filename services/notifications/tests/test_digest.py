"""The hub's digest email: which alerts go in it, and what one email for many of them says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel
from carerelay_notifications.domain.digest import digest, digested

LONDON = ZoneInfo("Europe/London")


def test_only_the_hubs_email_about_visits_nobody_can_take_is_digested() -> None:
    hub, email = NotificationAudience.HUB, NotificationChannel.EMAIL
    assert digested(hub, email, "visit-unassignable")
    assert not digested(hub, NotificationChannel.IN_APP, "visit-unassignable")  # the app shows each one
    assert not digested(NotificationAudience.COORDINATOR, email, "visit-unassignable")
    assert not digested(hub, email, "response-clock-breached")  # one episode's clock goes at once


def test_a_digest_counts_the_visits_and_says_each_reason_once_with_how_often() -> None:
    at = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
    alerts = [
        (at + timedelta(seconds=2), "A visit could not be assigned to anyone: no capacity in the window."),
        (at, "A visit could not be assigned to anyone: no capacity in the window."),
        (at + timedelta(minutes=1), "A visit could not be assigned to anyone: no nurse on shift."),
    ]
    subject, body = digest(alerts, LONDON)
    assert subject == "CareRelay: 3 visits could not be assigned"
    assert body.splitlines()[0] == "3 visits could not be assigned to anyone between 10:00 and 10:01:"
    assert "- A visit could not be assigned to anyone: no capacity in the window. (x2)" in body
    assert "- A visit could not be assigned to anyone: no nurse on shift." in body
    assert body.count("no capacity") == 1


def test_a_digest_of_one_says_one_visit_and_none_is_refused() -> None:
    at = datetime(2025, 7, 10, 10, 0, tzinfo=UTC)
    subject, body = digest([(at, "A visit could not be assigned to anyone: no nurse on shift.")], LONDON)
    assert subject == "CareRelay: 1 visit could not be assigned"
    assert "at 11:00" in body  # local time, summer
    with pytest.raises(ValueError, match="at least one"):
        digest([], LONDON)

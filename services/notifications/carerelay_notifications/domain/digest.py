"""The hub's digest: alerts that come in numbers when the planner re-plans (a visit nobody can take) are
emailed to the hub as one message listing them all, not one email each. Each alert is still its own
message (kept, and shown in the app, for its episode); only the email is shared. An alert waits
`window` before its email goes, and every other such alert waiting by then goes in the same email."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel

DIGESTED_TEMPLATES = frozenset({"visit-unassignable"})
"""Hub alerts a re-plan can raise for many visits at once."""
DEFAULT_WINDOW = timedelta(seconds=60)


def digested(audience: NotificationAudience, channel: NotificationChannel, template: str) -> bool:
    """Whether a message goes in the hub's digest email rather than an email of its own."""
    return audience is NotificationAudience.HUB and channel is NotificationChannel.EMAIL and template in DIGESTED_TEMPLATES


def digest(alerts: Sequence[tuple[datetime, str]], zone: ZoneInfo) -> tuple[str, str]:
    """The subject and body of one email for `alerts` (when each was raised, and what it says), oldest first;
    the same alert said of several visits is counted, not repeated."""
    if not alerts:
        raise ValueError("a digest needs at least one alert")
    ordered = sorted(alerts)
    said = Counter(body for _, body in ordered)
    visits = "1 visit" if len(ordered) == 1 else f"{len(ordered)} visits"
    subject = f"CareRelay: {visits} could not be assigned"
    first, last = (moment.astimezone(zone).strftime("%H:%M") for moment in (ordered[0][0], ordered[-1][0]))
    between = f"at {first}" if first == last else f"between {first} and {last}"
    lines = [f"{visits} could not be assigned to anyone {between}:", ""]
    for body, count in sorted(said.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"- {body}" if count == 1 else f"- {body} (x{count})")
    lines += ["", "Open the hub's board to see each one and act on it."]
    return subject, "\n".join(lines)

"""How a consumer tells a message that can never succeed from a failure worth retrying."""

from __future__ import annotations


class InvalidMessage(Exception):
    """The message can never be processed (undecodable, schema-invalid, unknown type, refused
    by the domain). It goes to the dead-letter topic with `reason`, and the partition moves on.

    `reason` must never contain personal data: name the field and the rule, not the value.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownEventType(InvalidMessage):
    """The message's `ce_type` is not in this version's catalogue: a newer producer's type, or a
    stranger's. A consumer cannot have a handler for it, so it skips it (counted) rather than
    dead-lettering it; a caller that must refuse it (an API) treats it as the InvalidMessage it is."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"unknown event type {event_type[:200]!r}")
        self.event_type = event_type

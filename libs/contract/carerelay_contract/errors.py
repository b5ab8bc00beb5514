"""How a consumer tells a message that can never succeed from a failure worth retrying."""

from __future__ import annotations

import re


class InvalidMessage(Exception):
    """The message can never be processed (undecodable, schema-invalid, unknown type, refused
    by the domain). It goes to the dead-letter topic with `reason`, and the partition moves on.

    `reason` must never contain personal data: name the field and the rule, not the value.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


OUR_TYPE = re.compile(r"uk\.nhs\.carerelay\.[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*\.v[1-9][0-9]{0,3}")
"""A CareRelay event type, known to this version or not: `uk.nhs.carerelay.<name>.v<N>`."""


class UnknownEventType(InvalidMessage):
    """The message's `ce_type` is not in this version's catalogue: a newer producer's type (`newer`: it
    is shaped as CareRelay's types are), or a stranger's. A consumer skips a newer type (counted: a
    rolling deploy must not dead-letter it) and dead-letters a stranger's; a caller that must refuse
    either (an API) treats it as the InvalidMessage it is."""

    def __init__(self, event_type: str) -> None:
        self.newer = OUR_TYPE.fullmatch(event_type) is not None
        what = "" if self.newer else " (not a CareRelay event type, uk.nhs.carerelay.<name>.v<N>)"
        super().__init__(f"unknown event type {event_type[:200]!r}{what}")
        self.event_type = event_type

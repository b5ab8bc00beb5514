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

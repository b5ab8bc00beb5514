"""Which dead letter a record on the dead-letter topic is, so the hub is told of each once.

The same poison message can reach the dead-letter topic more than once, at different offsets: its
consumer dead-lettered it, then restarted before committing and dead-lettered it again; or an operator
replayed it (`python -m carerelay_events.dead_letters replay`) before its cause was fixed and it was
dead-lettered anew. Each copy names the same consumer and original topic and carries the same event id
(`ce_id`, kept through a replay); a record without one (bad JSON from outside) has the same bytes. That,
not the copy's offset, is the dead letter: the trigger of the hub's message, which a trigger asks for
once."""

from __future__ import annotations

import hashlib

MAX_TRIGGER_LENGTH = 200
"""As long as a `trigger_event_id` may be (the contract's ShortText)."""


def dead_letter_trigger(
    consumer: str, original_topic: str, event_id: str | None, key: bytes | None, value: bytes | None, position: str
) -> str:
    """The trigger id of the hub's message about a dead letter: the same for every copy of it.

    By consumer, original topic and event id; without an event id, by the record's key and value (a hash);
    with neither (no id, no value), by its `position` on the dead-letter topic, the only thing left."""
    if event_id:
        what = f"event:{event_id}"
    elif value is not None:
        digest = hashlib.sha256()
        for part in (key or b"", value):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        what = f"sha256:{digest.hexdigest()[:32]}"
    else:
        what = f"at:{position}"
    trigger = f"dead-letter:{consumer}:{original_topic}:{what}"
    if len(trigger) > MAX_TRIGGER_LENGTH:
        trigger = f"dead-letter:sha256:{hashlib.sha256(trigger.encode()).hexdigest()}"
    return trigger

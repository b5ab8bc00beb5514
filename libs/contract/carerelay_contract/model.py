"""The base of every event: an immutable pydantic model with a CloudEvents type and a topic.

Events are immutable facts: add optional fields to evolve a type; a breaking change is a new type
(v2) with an upcaster. The catalogue of every type is `catalogue.py`; the types live by topic.
"""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from .topics import Topic

CE_TYPE_PREFIX = "uk.nhs.carerelay."

ShortText = Annotated[str, Field(min_length=1, max_length=200)]
FreeText = Annotated[str, Field(max_length=4000)]
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Event(Model):
    """A fact about one episode of care. Subclasses set `event_type` and `topic`."""

    event_type: ClassVar[str]
    topic: ClassVar[Topic]

    episode_id: UUID

    @classmethod
    def ce_type(cls) -> str:
        return f"{CE_TYPE_PREFIX}{cls.event_type}.v1"

    def partition_key(self) -> str:
        """The Kafka record key: the episode id, so an episode's events stay in order."""
        return str(self.episode_id)

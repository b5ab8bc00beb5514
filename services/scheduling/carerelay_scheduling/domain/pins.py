"""A coordinator's pin (drag-to-reassign) chooses the person, not the visit's needs: the discipline and
the skills the visit needs still hold (the planner would otherwise leave it stuck with someone who
cannot make it), a double-handed visit needs two different people, and a started visit stays put."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from .first_response import disciplines_for
from .planner.input import DOUBLE_HANDED_SKILL

MOVABLE = ("planned", "assigned")


@dataclass(frozen=True)
class Colleague:
    """A member of staff a visit may be pinned to."""

    staff_id: UUID
    display_name: str
    discipline: str
    skills: frozenset[str]


def why_not_movable(status: str) -> str | None:
    return None if status in MOVABLE else f"the visit is {status} and can no longer be moved"


def why_named_twice(staff_ids: Sequence[UUID]) -> str | None:
    return "the same person is named twice" if len(set(staff_ids)) != len(staff_ids) else None


def why_wrong_number(staff_ids: Sequence[UUID], double_handed: bool) -> str | None:
    """One person makes a visit; two make a double-handed one."""
    if len(staff_ids) == (2 if double_handed else 1):
        return None
    return "a double-handed visit needs two people" if double_handed else "name one person"


def why_cannot_make(
    colleague: Colleague, discipline: str, purpose: str, required_skills: Sequence[str], double_handed: bool
) -> str | None:
    """Why `colleague` may not make a visit of this discipline and purpose needing these skills."""
    disciplines = disciplines_for(discipline, purpose)
    if colleague.discipline not in disciplines:
        return f"{colleague.display_name} is not a {' or '.join(sorted(disciplines))}"
    needed = set(required_skills) | ({DOUBLE_HANDED_SKILL} if double_handed else set())
    missing = needed - colleague.skills
    if missing:
        return f"{colleague.display_name} does not have the skill {', '.join(sorted(missing))}"
    return None

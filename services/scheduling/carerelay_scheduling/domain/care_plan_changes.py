"""A change to a care plan, proposed by a clinician at a visit and decided by a coordinator or a hub
clinician: agreed (`care-plan.updated`, so the visits are made again from now on) or declined with a
reason (`care-plan.change-declined`, so the proposer knows why). Each proposal is decided once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from carerelay_contract.episode import CarePlanChangeDeclined, CarePlanUpdated
from carerelay_contract.parts import RecurringVisit

from .actions.outcome import Conflict, Invalid, Proposal


@dataclass(frozen=True)
class Decider:
    """Who decides: their staff id when their sign-in names one, and their name for display."""

    staff_id: UUID | None
    name: str


def _undecided(proposal: Proposal, episode_closed: bool) -> None:
    if proposal.decision is not None:
        when = f" on {proposal.decided_at:%d %b %Y %H:%M}" if proposal.decided_at else ""
        raise Conflict(f"the proposal was {proposal.decision.value}{when}")
    if episode_closed:
        raise Conflict("the episode is closed")


def agree(
    proposal: Proposal,
    by: Decider,
    at: datetime,
    *,
    visits: Sequence[RecurringVisit] | None = None,
    declined: Sequence[str] | None = None,
    episode_closed: bool = False,
) -> CarePlanUpdated:
    """The plan becomes what was proposed, or what the decider makes of it (`visits`, `declined`). A
    proposal in words only needs the decider to give the visits; no visits at all would end the plan,
    which is closing the episode's business, so it is refused."""
    _undecided(proposal, episode_closed)
    lines = list(visits) if visits is not None else list(proposal.visits)
    if not lines:
        raise Invalid("visits", "the proposal names no visits: give the plan's visits to agree it")
    return CarePlanUpdated(
        episode_id=proposal.episode_id,
        care_plan_id=proposal.care_plan_id or uuid4(),
        updated_at=at,
        updated_by_staff_id=by.staff_id,
        updated_by=by.name,
        visits=lines,
        declined=list(declined) if declined is not None else list(proposal.declined),
        reason=proposal.reason,
        proposal_id=proposal.proposal_id,
        proposed_by_staff_id=proposal.proposed_by,
    )


def decline(
    proposal: Proposal, by: Decider, at: datetime, reason: str, *, episode_closed: bool = False
) -> CarePlanChangeDeclined:
    """The plan stays as it is; the proposer is told why."""
    _undecided(proposal, episode_closed)
    return CarePlanChangeDeclined(
        episode_id=proposal.episode_id,
        proposal_id=proposal.proposal_id,
        declined_at=at,
        declined_by_staff_id=by.staff_id,
        declined_by=by.name,
        reason=reason,
        proposed_by_staff_id=proposal.proposed_by,
    )

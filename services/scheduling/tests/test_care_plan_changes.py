"""A proposed care plan change, decided once: agreed as proposed or as the coordinator makes it (the plan
in force keeps its id), or declined with a reason; the proposer is named in either event."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from carerelay_contract.parts import RecurringVisit
from carerelay_scheduling.domain import care_plan_changes as changes
from carerelay_scheduling.domain.actions.outcome import Conflict, Decision, Invalid, Proposal

NOW = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
COORDINATOR = changes.Decider(uuid4(), "Daniel Hughes")
TEATIME = RecurringVisit.model_validate(
    {
        "discipline": "carer",
        "preferred_windows": [{"start": "16:00", "end": "17:00"}],
        "duration_minutes": 30,
        "starts_on": "2026-03-10",
        "ends_on": "2026-04-10",
    }
)


def a_proposal(**changed: object) -> Proposal:
    fields: dict[str, object] = {
        "proposal_id": uuid4(),
        "episode_id": uuid4(),
        "care_plan_id": uuid4(),
        "reason": "Add a teatime visit",
        "visits": (TEATIME,),
        "declined": ("midday visit",),
        "proposed_at": NOW,
        "proposed_by": uuid4(),
    }
    return Proposal(**(fields | changed))  # type: ignore[arg-type]


def test_agreed_as_proposed_the_plan_in_force_changes_and_the_proposer_is_named() -> None:
    proposal = a_proposal()
    updated = changes.agree(proposal, COORDINATOR, NOW)
    assert (updated.care_plan_id, updated.proposal_id, updated.proposed_by_staff_id) == (
        proposal.care_plan_id,
        proposal.proposal_id,
        proposal.proposed_by,
    )
    assert (updated.visits, updated.declined, updated.reason) == ([TEATIME], ["midday visit"], "Add a teatime visit")
    assert updated.updated_by_staff_id == COORDINATOR.staff_id


def test_the_coordinator_may_agree_it_with_other_visits_and_a_proposal_in_words_needs_them() -> None:
    in_words = a_proposal(visits=(), care_plan_id=None)
    with pytest.raises(Invalid) as refused:
        changes.agree(in_words, COORDINATOR, NOW)
    assert refused.value.field == "visits"
    made = changes.agree(in_words, COORDINATOR, NOW, visits=[TEATIME], declined=[])
    assert made.visits == [TEATIME]
    assert made.care_plan_id is not None, "no plan was in force: the change starts one"


def test_declined_with_a_reason_the_proposer_is_named() -> None:
    proposal = a_proposal()
    declined = changes.decline(proposal, COORDINATOR, NOW, "No carer free at teatime")
    assert (declined.reason, declined.declined_by, declined.proposed_by_staff_id) == (
        "No carer free at teatime",
        "Daniel Hughes",
        proposal.proposed_by,
    )


@pytest.mark.parametrize("decision", list(Decision))
def test_a_proposal_is_decided_once_and_not_after_the_episode_closed(decision: Decision) -> None:
    decided = a_proposal(decision=decision, decided_at=NOW)
    with pytest.raises(Conflict, match=f"the proposal was {decision.value} on 09 Mar 2026 10:00"):
        changes.agree(decided, COORDINATOR, NOW)
    with pytest.raises(Conflict, match="was"):
        changes.decline(decided, COORDINATOR, NOW, "No")
    with pytest.raises(Conflict, match="the episode is closed"):
        changes.agree(a_proposal(), COORDINATOR, NOW, episode_closed=True)


def test_a_hub_clinician_whose_sign_in_names_no_staff_member_agrees_by_name() -> None:
    updated = changes.agree(a_proposal(), changes.Decider(None, "Ruth Ellis"), NOW)
    assert (updated.updated_by_staff_id, updated.updated_by) == (None, "Ruth Ellis")

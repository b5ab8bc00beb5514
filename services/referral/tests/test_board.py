"""How the board moves as an episode's events arrive: statuses only move forward, the clock stays
met once met, and the first planned visit and the first contact are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from carerelay_contract.episode import DischargeRecommended, EpisodeClosed, LeadDisciplineTransferred
from carerelay_contract.triage import ResponseClockAtRisk, ResponseClockBreached, ResponseClockMet
from carerelay_contract.vocabulary import EpisodeOutcome, LeadDiscipline, ResponseTier
from carerelay_referral.domain import board
from carerelay_referral.domain.board import Clock
from carerelay_referral.domain.referral import Referral, Status

from .conftest import Taken, triage_decision

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def test_triage_sets_tier_lead_and_deadline_and_starts_the_clock(taken: Taken) -> None:
    moved = board.triaged(taken(), triage_decision(uuid4(), uuid4(), NOW))
    assert (moved.status, moved.tier, moved.lead_discipline) == (Status.TRIAGED, "ucr-2h", "nurse")
    assert (moved.first_contact_deadline, moved.clock) == (NOW + timedelta(hours=2), "running")


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.FIRST_VISIT_PLANNED, Status.REJECTED, Status.CLOSED])
def test_a_late_triage_moves_no_status_back_and_keeps_the_clock(taken: Taken, status: Status) -> None:
    moved = board.triaged(taken(status=status, clock="at-risk"), triage_decision(uuid4(), uuid4(), NOW))
    assert (moved.status, moved.clock, moved.tier) == (status, "at-risk", "ucr-2h")


def _clock_reports(referral: Referral) -> dict[Clock, ResponseClockAtRisk | ResponseClockBreached | ResponseClockMet]:
    ids = {"episode_id": referral.episode_id, "referral_id": referral.referral_id, "tier": ResponseTier.UCR_2H, "deadline": NOW}
    return {
        Clock.AT_RISK: ResponseClockAtRisk(**ids, at=NOW, why="no one free before the deadline"),
        Clock.BREACHED: ResponseClockBreached(**ids, at=NOW),
        Clock.MET: ResponseClockMet(**ids, first_contact_at=NOW, minutes_to_first_contact=50),
    }


@pytest.mark.parametrize("clock", [Clock.AT_RISK, Clock.BREACHED, Clock.MET])
def test_the_clock_shows_what_triage_reports(taken: Taken, clock: Clock) -> None:
    referral = taken(clock="running")
    assert board.clock_reported(referral, _clock_reports(referral)[clock]).clock == clock.value


def test_a_met_clock_stays_met(taken: Taken) -> None:
    referral = taken(clock="met")
    assert board.clock_reported(referral, _clock_reports(referral)[Clock.BREACHED]).clock == "met"


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.TRIAGED, Status.ACCEPTED])
def test_the_first_assignment_plans_the_first_visit(taken: Taken, status: Status) -> None:
    moved = board.first_visit_planned(taken(status=status), NOW)
    assert (moved.status, moved.first_visit_planned_start) == (Status.FIRST_VISIT_PLANNED, NOW)


def test_a_later_assignment_keeps_the_first_planned_visit_and_the_status(taken: Taken) -> None:
    first = board.first_contact_made(board.first_visit_planned(taken(), NOW), NOW + timedelta(minutes=50))
    later = board.first_visit_planned(first, NOW + timedelta(days=1))
    assert (later.status, later.first_visit_planned_start) == (Status.FIRST_CONTACT_MADE, NOW)
    again = board.first_contact_made(later, NOW + timedelta(days=1))
    assert again.first_contact_at == NOW + timedelta(minutes=50)


@pytest.mark.parametrize("status", [Status.REJECTED, Status.CANCELLED, Status.CLOSED])
def test_a_visit_does_not_reopen_a_referral_that_is_over(taken: Taken, status: Status) -> None:
    assert board.first_visit_planned(taken(status=status), NOW).status is status
    assert board.first_contact_made(taken(status=status), NOW).status is status


def test_the_lead_follows_a_transfer_and_a_closed_episode_closes_the_referral(taken: Taken) -> None:
    referral = taken(status=Status.FIRST_CONTACT_MADE, lead_discipline="nurse")
    transfer = LeadDisciplineTransferred(
        episode_id=referral.episode_id,
        from_discipline=LeadDiscipline.NURSE,
        to_discipline=LeadDiscipline.THERAPIST,
        transferred_at=NOW,
    )
    assert board.lead_transferred(referral, transfer).lead_discipline == "therapist"
    closing = EpisodeClosed(episode_id=referral.episode_id, closed_at=NOW, outcome=EpisodeOutcome.ONGOING_CARE_PACKAGE)
    closed = board.closed(referral, closing)
    assert (closed.status, closed.outcome) == (Status.CLOSED, "ongoing-care-package")


def test_a_recommended_discharge_is_shown_until_the_episode_closes(taken: Taken) -> None:
    referral = taken(status=Status.FIRST_CONTACT_MADE)
    recommended = DischargeRecommended(
        episode_id=referral.episode_id,
        recommendation_id=uuid4(),
        recommended_at=NOW,
        recommended_by_staff_id=uuid4(),
        outcome=EpisodeOutcome.NO_FURTHER_SERVICES,
    )
    shown = board.discharge_recommended(referral, recommended)
    assert shown.discharge_recommendation == {
        "recommendation_id": str(recommended.recommendation_id),
        "outcome": "no-further-services",
        "summary": "",
    }
    closing = EpisodeClosed(episode_id=referral.episode_id, closed_at=NOW, outcome=EpisodeOutcome.DIED)
    closed = board.closed(shown, closing)
    assert (closed.discharge_recommendation, closed.outcome) == (None, "died")
    assert board.discharge_recommended(closed, recommended).discharge_recommendation is None, "a late one changes nothing"

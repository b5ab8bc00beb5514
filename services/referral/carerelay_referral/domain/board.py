"""How a referral's place on the board moves as its episode's events arrive. A status only moves
forward (a late triage never undoes a planned visit), the response clock stops for good once met,
and the first planned visit and the first contact are the first ones (later visits change neither)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from carerelay_contract.episode import DischargeRecommended, EpisodeClosed, LeadDisciplineTransferred
from carerelay_contract.triage import (
    ResponseClockAtRisk,
    ResponseClockBreached,
    ResponseClockMet,
    TriageCompleted,
    TriageOverridden,
)

from .referral import Referral, Status


class Clock(StrEnum):
    """The first-contact response clock, as the hub shows it."""

    RUNNING = "running"
    AT_RISK = "at-risk"
    BREACHED = "breached"
    MET = "met"


MOVES_FROM: dict[Status, frozenset[Status]] = {
    Status.TRIAGED: frozenset({Status.RECEIVED}),
    Status.FIRST_VISIT_PLANNED: frozenset({Status.RECEIVED, Status.TRIAGED, Status.ACCEPTED}),
    Status.FIRST_CONTACT_MADE: frozenset({Status.RECEIVED, Status.TRIAGED, Status.ACCEPTED, Status.FIRST_VISIT_PLANNED}),
}
"""The statuses each event-driven status may be reached from; from any other, the status stays."""

CLOCK_OF: dict[type[ResponseClockAtRisk | ResponseClockBreached | ResponseClockMet], Clock] = {
    ResponseClockAtRisk: Clock.AT_RISK,
    ResponseClockBreached: Clock.BREACHED,
    ResponseClockMet: Clock.MET,
}


def advanced(referral: Referral, to: Status) -> Status:
    """`to`, if the referral may move there from where it is; else where it is."""
    return to if referral.status in MOVES_FROM[to] else referral.status


def triaged(referral: Referral, decision: TriageCompleted | TriageOverridden) -> Referral:
    """Triage (or its override) sets the tier, the lead and the deadline, and starts the clock."""
    return replace(
        referral,
        status=advanced(referral, Status.TRIAGED),
        tier=decision.tier.value,
        lead_discipline=decision.lead_discipline.value,
        first_contact_deadline=decision.first_contact_deadline,
        clock=referral.clock or Clock.RUNNING.value,
    )


def clock_reported(referral: Referral, report: ResponseClockAtRisk | ResponseClockBreached | ResponseClockMet) -> Referral:
    """The clock as triage reports it; once met it stays met."""
    if referral.clock == Clock.MET:
        return referral
    return replace(referral, clock=CLOCK_OF[type(report)].value)


def first_visit_planned(referral: Referral, planned_start: datetime) -> Referral:
    return replace(
        referral,
        status=advanced(referral, Status.FIRST_VISIT_PLANNED),
        first_visit_planned_start=referral.first_visit_planned_start or planned_start,
    )


def first_contact_made(referral: Referral, at: datetime) -> Referral:
    """A visit started: first contact (the response clock stops)."""
    return replace(
        referral, status=advanced(referral, Status.FIRST_CONTACT_MADE), first_contact_at=referral.first_contact_at or at
    )


def lead_transferred(referral: Referral, transfer: LeadDisciplineTransferred) -> Referral:
    return replace(referral, lead_discipline=transfer.to_discipline.value)


def discharge_recommended(referral: Referral, recommendation: DischargeRecommended) -> Referral:
    """Shown until the episode is closed (from it, or otherwise)."""
    if referral.status == Status.CLOSED:
        return referral
    shown = {
        "recommendation_id": str(recommendation.recommendation_id),
        "outcome": recommendation.outcome.value,
        "summary": recommendation.summary,
    }
    return replace(referral, discharge_recommendation=shown)


def closed(referral: Referral, closing: EpisodeClosed) -> Referral:
    return replace(referral, status=Status.CLOSED, outcome=closing.outcome.value, discharge_recommendation=None)

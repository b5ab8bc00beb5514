"""Who can make a first response: a nurse for a nursing lead, an occupational therapist or
physiotherapist for a therapy lead, a social worker for social care. Which of them goes, and when, is
the planner's choice (replanning.py)."""

from __future__ import annotations

from carerelay_contract.vocabulary import LeadDiscipline

DISCIPLINES_FOR_LEAD: dict[LeadDiscipline, tuple[str, ...]] = {
    LeadDiscipline.NURSE: ("nurse",),
    LeadDiscipline.THERAPIST: ("occupational-therapist", "physiotherapist"),
    LeadDiscipline.SOCIAL_CARE: ("social-worker",),
}

FIRST_VISIT_MINUTES = 60

INTERCHANGEABLE: tuple[frozenset[str], ...] = (frozenset({"occupational-therapist", "physiotherapist"}),)
"""Disciplines that can stand in for each other on a first response or assessment (a therapist lead)."""


def disciplines_for(discipline: str, purpose: str) -> frozenset[str]:
    """Who may make a visit recorded with `discipline`: that discipline, or for a first response or
    an assessment, any discipline that can lead the same way (either therapist for a therapy lead)."""
    if purpose in ("first-response", "assessment"):
        for group in INTERCHANGEABLE:
            if discipline in group:
                return group
    return frozenset({discipline})

"""The actions at a visit, each `apply(visit, body, by, at) -> VisitOutcome`: what is written on the
visit's record and which event says so. Whether the visit's state allows the action at all is
`domain.visit_states`; the status it moves to is `visit_states.NEXT_STATUS`."""

from __future__ import annotations

import math
from datetime import datetime
from uuid import uuid4

from carerelay_clinical.news2 import News2Band, score
from carerelay_contract.episode import AssessmentRecorded
from carerelay_contract.visit import VisitCompleted, VisitEnRoute, VisitMissed, VisitRunningLate, VisitStarted
from carerelay_contract.vocabulary import AssessmentKind

from ..rota import LONDON
from .bodies import Arrived, AssessmentForm, Completed, EnRoute, Missed, Note, ObservationsTaken, RunningLate
from .outcome import Assessment, Clinician, Invalid, RecordChange, Visit, VisitOutcome

NEWS2_RESPONSE: dict[News2Band, str] = {
    News2Band.LOW: "Low: continue routine care",
    News2Band.LOW_MEDIUM: "One parameter scores 3: urgent review by a clinician",
    News2Band.MEDIUM: "Medium: urgent review, tell the hub clinician now",
    News2Band.HIGH: "High: emergency assessment, call 999",
}
"""The clinical response to a NEWS2 band (the chart triage uses), shown to the clinician with the score."""

LONGEST_DELAY_MINUTES = 24 * 60
COMPLETED_NOTES_LENGTH = 4000


def en_route(visit: Visit, body: EnRoute, by: Clinician, at: datetime) -> VisitOutcome:
    return VisitOutcome(
        events=[
            VisitEnRoute(
                episode_id=visit.episode_id,
                visit_id=visit.visit_id,
                staff_id=by.staff_id,
                at=at,
                expected_arrival=body.expected_arrival,
            )
        ],
        record=RecordChange({"en_route_at": at, "expected_arrival": body.expected_arrival}),
    )


def arrived(visit: Visit, body: Arrived, by: Clinician, at: datetime) -> VisitOutcome:
    """The visit has started: the response clock's first contact."""
    return VisitOutcome(
        events=[VisitStarted(episode_id=visit.episode_id, visit_id=visit.visit_id, staff_id=by.staff_id, at=at)],
        record=RecordChange({"arrived_at": at}),
    )


def observations(visit: Visit, body: ObservationsTaken, by: Clinician, at: datetime) -> VisitOutcome:
    """NEWS2, scored here as on the phone: anything above a low band is a serious concern."""
    taken = body.observations if body.observations.taken_at else body.observations.model_copy(update={"taken_at": at})
    news2 = score(taken)
    concern = news2.band != News2Band.LOW
    summary = f"NEWS2 {news2.score} ({news2.band.value})"
    assessment = Assessment(
        assessment_id=uuid4(),
        episode_id=visit.episode_id,
        visit_id=visit.visit_id,
        staff_id=by.staff_id,
        kind=AssessmentKind.NEWS2.value,
        recorded_at=at,
        summary=summary,
        serious_concern=concern,
        observations=taken.model_dump(mode="json"),
        news2_score=news2.score,
        news2_band=news2.band.value,
    )
    event = AssessmentRecorded(
        episode_id=visit.episode_id,
        assessment_id=assessment.assessment_id,
        kind=AssessmentKind.NEWS2,
        recorded_at=at,
        recorded_by_staff_id=by.staff_id,
        visit_id=visit.visit_id,
        observations=taken,
        news2_score=news2.score,
        summary=summary,
        serious_concern=concern,
    )
    return VisitOutcome(
        events=[event],
        record=RecordChange({"news2_score": news2.score, "news2_band": news2.band.value}),
        assessment=assessment,
        answer={
            "assessment_id": str(assessment.assessment_id),
            "news2": {
                "score": news2.score,
                "band": news2.band.value,
                "parameter_scores": news2.parameter_scores,
                "response": NEWS2_RESPONSE[news2.band],
                "serious_concern": concern,
            },
        },
    )


def assessment(visit: Visit, body: AssessmentForm, by: Clinician, at: datetime) -> VisitOutcome:
    """An assessment form; a falls risk leads its summary."""
    summary = f"Falls risk: {body.falls_risk}. {body.summary}".strip() if body.falls_risk else body.summary
    taken = Assessment(
        assessment_id=uuid4(),
        episode_id=visit.episode_id,
        visit_id=visit.visit_id,
        staff_id=by.staff_id,
        kind=body.kind,
        recorded_at=at,
        summary=summary,
        serious_concern=body.serious_concern,
        clinical_frailty_scale=body.clinical_frailty_scale,
    )
    event = AssessmentRecorded(
        episode_id=visit.episode_id,
        assessment_id=taken.assessment_id,
        kind=AssessmentKind(body.kind),
        recorded_at=at,
        recorded_by_staff_id=by.staff_id,
        visit_id=visit.visit_id,
        clinical_frailty_scale=body.clinical_frailty_scale,
        summary=summary,
        serious_concern=body.serious_concern,
    )
    return VisitOutcome(
        events=[event], record=RecordChange(), assessment=taken, answer={"assessment_id": str(taken.assessment_id)}
    )


def note(visit: Visit, body: Note, by: Clinician, at: datetime) -> VisitOutcome:
    """A note on the visit: no event of its own (notes travel in visit.completed)."""
    return VisitOutcome(events=[], record=RecordChange(notes=(body.text,)))


def running_late(visit: Visit, body: RunningLate, by: Clinician, at: datetime) -> VisitOutcome:
    """How late against the planned start (or the window's end, when not planned), in whole minutes."""
    planned = visit.planned_start or visit.latest_start
    minutes = math.ceil((body.expected_arrival - planned).total_seconds() / 60)
    if minutes < 1:
        raise Invalid("expected_arrival", f"must be after the planned start ({planned.astimezone(LONDON):%H:%M})")
    if minutes > LONGEST_DELAY_MINUTES:
        raise Invalid("expected_arrival", "must be within a day of the planned start")
    event = VisitRunningLate(
        episode_id=visit.episode_id,
        visit_id=visit.visit_id,
        staff_id=by.staff_id,
        at=at,
        expected_arrival=body.expected_arrival,
        minutes_late=minutes,
    )
    return VisitOutcome(
        events=[event],
        record=RecordChange({"running_late_minutes": minutes, "expected_arrival": body.expected_arrival}),
        answer={"minutes_late": minutes},
    )


def missed(visit: Visit, body: Missed, by: Clinician, at: datetime) -> VisitOutcome:
    event = VisitMissed(
        episode_id=visit.episode_id, visit_id=visit.visit_id, staff_id=by.staff_id, at=at, reason=body.reason, notes=body.notes
    )
    return VisitOutcome(
        events=[event],
        record=RecordChange({"missed_at": at, "missed_reason": body.reason.value}, notes=_given(body.notes)),
    )


def completed(visit: Visit, body: Completed, by: Clinician, at: datetime) -> VisitOutcome:
    """Completed: the event carries every note of the visit, those recorded before and this one."""
    notes = _given(body.notes)
    event = VisitCompleted(
        episode_id=visit.episode_id,
        visit_id=visit.visit_id,
        staff_id=by.staff_id,
        at=at,
        tasks_done=body.tasks_done,
        notes="\n\n".join((*visit.notes, *notes))[:COMPLETED_NOTES_LENGTH],
        concerns=body.concerns,
    )
    return VisitOutcome(
        events=[event],
        record=RecordChange({"completed_at": at, "tasks_done": body.tasks_done, "concerns": body.concerns}, notes=notes),
    )


def _given(text: str) -> tuple[str, ...]:
    return (text,) if text else ()

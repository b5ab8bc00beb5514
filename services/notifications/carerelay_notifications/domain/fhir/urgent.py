"""The GP's urgent message: a FHIR R4 Communication (priority urgent) when a NEWS2 emergency or a
serious concern is recorded at a visit."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from .facts import AssessmentMade, PatientFacts
from .resources import NHS_NUMBER, ODS_CODE, SERVICE, iso


def urgent_communication(
    patient: PatientFacts, episode_id: UUID, assessment: AssessmentMade, message_id: UUID, now: datetime
) -> dict[str, Any]:
    """An urgent message to the GP: a NEWS2 emergency (7 or more) or a serious concern at a visit."""
    reasons = []
    if assessment.news2_emergency:
        reasons.append(f"NEWS2 score {assessment.news2_score} (emergency response threshold)")
    if assessment.serious_concern:
        reasons.append("a serious concern")
    found = " and ".join(reasons) or "an urgent finding"
    text = f"{SERVICE}: {found} recorded at a home visit on {assessment.recorded_at:%d %b %Y %H:%M %Z}."
    payload = [{"contentString": text}]
    if assessment.summary:
        payload.append({"contentString": assessment.summary})
    return {
        "resourceType": "Communication",
        "id": str(message_id),
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{message_id}"}],
        "status": "completed",
        "priority": "urgent",
        "category": [{"text": "urgent clinical update"}],
        "subject": {
            "identifier": {"system": NHS_NUMBER, "value": patient.nhs_number},
            "display": f"{patient.given_name} {patient.family_name}",
        },
        "about": [{"identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{episode_id}"}}],
        "recipient": [{"identifier": {"system": ODS_CODE, "value": patient.gp_practice_code}}],
        "sender": {"display": SERVICE},
        "sent": iso(now),
        "payload": payload,
    }

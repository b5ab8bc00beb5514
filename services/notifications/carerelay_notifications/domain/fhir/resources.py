"""The FHIR R4 resources both GP messages use: code systems, stable `urn:uuid:` full URLs derived
from the events' ids, XHTML narratives, the Patient and the assessments' Observations."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from .facts import AssessmentMade, PatientFacts

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE = "https://fhir.nhs.uk/Id/ods-organization-code"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
SERVICE = "CareRelay community rapid response and reablement"

NEWS2_CODE = {"system": SNOMED, "code": "1104051000000101", "display": "Royal College of Physicians NEWS2 total score"}
CFS_CODE = {"system": SNOMED, "code": "763264000", "display": "Canadian Study of Health and Aging Clinical Frailty Scale score"}
DISCHARGE_SUMMARY = {"system": LOINC, "code": "18842-5", "display": "Discharge summary"}


def urn(*parts: object) -> str:
    """A stable full URL: the same parts (ids from the events) always give the same `urn:uuid:`."""
    return f"urn:uuid:{uuid5(NAMESPACE_URL, '/'.join(str(part) for part in parts))}"


def narrative(*paragraphs: str) -> dict[str, str]:
    """A generated XHTML narrative of the non-empty paragraphs, escaped."""
    body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs if paragraph) or "<p>None.</p>"
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def iso(moment: datetime) -> str:
    return moment.isoformat()


def patient_resource(patient: PatientFacts) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "identifier": [{"system": NHS_NUMBER, "value": patient.nhs_number}],
        "name": [{"family": patient.family_name, "given": [patient.given_name]}],
        "birthDate": patient.date_of_birth.isoformat(),
        "address": [{"text": patient.address, "postalCode": patient.postcode}],
        "generalPractitioner": [{"identifier": {"system": ODS_CODE, "value": patient.gp_practice_code}}],
    }


def observations(assessment: AssessmentMade, patient_ref: str, episode_ref: str) -> list[tuple[str, dict[str, Any]]]:
    """An assessment's Observations (NEWS2, Clinical Frailty Scale, else one for the assessment), with
    their full URLs; its summary and any serious concern as notes."""
    common: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "subject": {"reference": patient_ref},
        "effectiveDateTime": iso(assessment.recorded_at),
        "focus": [{"reference": episode_ref}],
    }
    notes = [{"text": assessment.summary}] if assessment.summary else []
    if assessment.serious_concern:
        notes.append({"text": "Serious concern recorded."})
    found: list[tuple[str, dict[str, Any]]] = []
    if assessment.news2_score is not None:
        found.append(
            (
                urn(assessment.assessment_id, "news2"),
                {**common, "code": {"coding": [NEWS2_CODE], "text": "NEWS2"}, "valueInteger": assessment.news2_score},
            )
        )
    if assessment.clinical_frailty_scale is not None:
        found.append(
            (
                urn(assessment.assessment_id, "cfs"),
                {
                    **common,
                    "code": {"coding": [CFS_CODE], "text": "Clinical Frailty Scale"},
                    "valueInteger": assessment.clinical_frailty_scale,
                },
            )
        )
    if not found:
        found.append(
            (
                urn(assessment.assessment_id, "summary"),
                {**common, "code": {"text": f"{assessment.kind} assessment"}, "valueString": assessment.summary or "recorded"},
            )
        )
    if notes:
        found = [(url, {**resource, "note": notes}) for url, resource in found]
    return found

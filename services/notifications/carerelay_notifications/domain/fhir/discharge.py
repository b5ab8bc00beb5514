"""What the GP is sent, as FHIR R4: at the end of every episode a discharge summary (a document
Bundle: Composition first, then the Patient, the EpisodeOfCare, an Encounter per visit made (class HH,
home health), Observations for the assessments and ServiceRequests for onward referrals); and when a
NEWS2 emergency or a serious concern is recorded, an urgent Communication.

Pure functions of what the service has gathered from the events it consumes; every resource has
a `urn:uuid:` full URL derived from the ids in the events, so the same episode gives the same document."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from carerelay_contract.vocabulary import EpisodeOutcome

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE = "https://fhir.nhs.uk/Id/ods-organization-code"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
SERVICE = "CareRelay community rapid response and reablement"

NEWS2_CODE = {"system": SNOMED, "code": "1104051000000101", "display": "Royal College of Physicians NEWS2 total score"}
CFS_CODE = {"system": SNOMED, "code": "763264000", "display": "Canadian Study of Health and Aging Clinical Frailty Scale score"}
DISCHARGE_SUMMARY = {"system": LOINC, "code": "18842-5", "display": "Discharge summary"}

OUTCOME_TEXT = {
    EpisodeOutcome.NO_FURTHER_SERVICES: "Back to usual independence: no further services needed.",
    EpisodeOutcome.ONGOING_CARE_PACKAGE: "An ongoing package of care has started.",
    EpisodeOutcome.ADMITTED_TO_HOSPITAL: "Admitted to hospital.",
    EpisodeOutcome.LONG_TERM_RESIDENTIAL_CARE: "Moved to long-term residential care.",
    EpisodeOutcome.TRANSFERRED_TO_OTHER_SERVICE: "Transferred to another service.",
    EpisodeOutcome.DECLINED_SERVICE: "The person declined the service.",
    EpisodeOutcome.DIED: "The person died.",
}


@dataclass(frozen=True)
class PatientFacts:
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    address: str
    postcode: str
    gp_practice_code: str


@dataclass(frozen=True)
class VisitMade:
    visit_id: UUID
    at: datetime
    discipline: str | None = None
    tasks_done: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssessmentMade:
    assessment_id: UUID
    kind: str
    recorded_at: datetime
    news2_score: int | None = None
    clinical_frailty_scale: int | None = None
    summary: str = ""
    serious_concern: bool = False


@dataclass(frozen=True)
class OnwardReferral:
    onward_referral_id: UUID
    service: str
    made_at: datetime
    reason: str = ""
    wanted_from: date | None = None


@dataclass(frozen=True)
class EpisodeSummary:
    episode_id: UUID
    patient: PatientFacts
    started_at: datetime
    closed_at: datetime
    outcome: EpisodeOutcome
    summary: str = ""
    visits: tuple[VisitMade, ...] = ()
    assessments: tuple[AssessmentMade, ...] = ()
    onward_referrals: tuple[OnwardReferral, ...] = ()
    include_assessments: bool = True
    """False when the person has not agreed to professional sharing: the GP gets the outcome, the
    visits and onward referrals, but not the assessments."""


def _urn(*parts: object) -> str:
    return f"urn:uuid:{uuid5(NAMESPACE_URL, '/'.join(str(part) for part in parts))}"


def _narrative(*paragraphs: str) -> dict[str, str]:
    body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs if paragraph) or "<p>None.</p>"
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def _iso(moment: datetime) -> str:
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


def _observations(assessment: AssessmentMade, patient_ref: str, episode_ref: str) -> list[tuple[str, dict[str, Any]]]:
    common: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "subject": {"reference": patient_ref},
        "effectiveDateTime": _iso(assessment.recorded_at),
        "focus": [{"reference": episode_ref}],
    }
    notes = [{"text": assessment.summary}] if assessment.summary else []
    if assessment.serious_concern:
        notes.append({"text": "Serious concern recorded."})
    found: list[tuple[str, dict[str, Any]]] = []
    if assessment.news2_score is not None:
        found.append(
            (
                _urn(assessment.assessment_id, "news2"),
                {**common, "code": {"coding": [NEWS2_CODE], "text": "NEWS2"}, "valueInteger": assessment.news2_score},
            )
        )
    if assessment.clinical_frailty_scale is not None:
        found.append(
            (
                _urn(assessment.assessment_id, "cfs"),
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
                _urn(assessment.assessment_id, "summary"),
                {**common, "code": {"text": f"{assessment.kind} assessment"}, "valueString": assessment.summary or "recorded"},
            )
        )
    if notes:
        found = [(url, {**resource, "note": notes}) for url, resource in found]
    return found


def discharge_bundle(episode: EpisodeSummary, bundle_id: UUID, now: datetime) -> dict[str, Any]:
    """The discharge summary as a FHIR R4 document Bundle (type `document`, Composition first)."""
    patient_ref = _urn(episode.episode_id, "patient")
    episode_ref = _urn(episode.episode_id, "episode-of-care")
    entries: list[tuple[str, dict[str, Any]]] = [
        (patient_ref, patient_resource(episode.patient)),
        (
            episode_ref,
            {
                "resourceType": "EpisodeOfCare",
                "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{episode.episode_id}"}],
                "status": "finished",
                "patient": {"reference": patient_ref},
                "managingOrganization": {"display": SERVICE},
                "period": {"start": _iso(episode.started_at), "end": _iso(episode.closed_at)},
            },
        ),
    ]
    visit_refs = []
    for visit in episode.visits:
        url = _urn(visit.visit_id, "encounter")
        visit_refs.append(url)
        encounter: dict[str, Any] = {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"system": ACT_CODE, "code": "HH", "display": "home health"},
            "subject": {"reference": patient_ref},
            "episodeOfCare": [{"reference": episode_ref}],
            "period": {"start": _iso(visit.at)},
        }
        if visit.discipline:
            encounter["serviceType"] = {"text": visit.discipline}
        entries.append((url, encounter))
    observation_refs = []
    if episode.include_assessments:
        for assessment in episode.assessments:
            for url, observation in _observations(assessment, patient_ref, episode_ref):
                observation_refs.append(url)
                entries.append((url, observation))
    referral_refs = []
    for onward in episode.onward_referrals:
        url = _urn(onward.onward_referral_id, "service-request")
        referral_refs.append(url)
        request: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "status": "active",
            "intent": "order",
            "code": {"text": onward.service},
            "subject": {"reference": patient_ref},
            "authoredOn": _iso(onward.made_at),
        }
        if onward.reason:
            request["reasonCode"] = [{"text": onward.reason}]
        if onward.wanted_from:
            request["occurrencePeriod"] = {"start": onward.wanted_from.isoformat()}
        entries.append((url, request))

    if episode.visits:
        first, last = min(v.at for v in episode.visits), max(v.at for v in episode.visits)
        visits_text = f"{len(episode.visits)} visits made at home, {first:%d %b %Y} to {last:%d %b %Y}."
    else:
        visits_text = "No visits were made."
    if not episode.include_assessments:
        assessments_text = "Assessments are not shared: the person has not agreed to professional sharing."
    elif episode.assessments:
        assessments_text = f"{len(episode.assessments)} assessments recorded."
    else:
        assessments_text = "No assessments recorded."
    sections = [
        {
            "title": "Outcome",
            "text": _narrative(OUTCOME_TEXT[episode.outcome], episode.summary),
            "entry": [{"reference": episode_ref}],
        },
        {
            "title": "Visits",
            "text": _narrative(visits_text),
            **({"entry": [{"reference": r} for r in visit_refs]} if visit_refs else {}),
        },
        {
            "title": "Assessments",
            "text": _narrative(assessments_text),
            **({"entry": [{"reference": r} for r in observation_refs]} if observation_refs else {}),
        },
        {
            "title": "Onward referrals",
            "text": _narrative(
                "; ".join(onward.service for onward in episode.onward_referrals) or "No onward referrals were made."
            ),
            **({"entry": [{"reference": r} for r in referral_refs]} if referral_refs else {}),
        },
    ]
    composition = {
        "resourceType": "Composition",
        "status": "final",
        "type": {"coding": [DISCHARGE_SUMMARY]},
        "subject": {"reference": patient_ref},
        "date": _iso(now),
        "author": [{"display": SERVICE}],
        "title": "Community rapid response and reablement: discharge summary",
        "event": [
            {
                "period": {"start": _iso(episode.started_at), "end": _iso(episode.closed_at)},
                "detail": [{"reference": episode_ref}],
            }
        ],
        "section": sections,
    }
    composition_ref = _urn(episode.episode_id, "composition")
    return {
        "resourceType": "Bundle",
        "id": str(bundle_id),
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{bundle_id}"},
        "type": "document",
        "timestamp": _iso(now),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in [(composition_ref, composition), *entries]],
    }


def urgent_communication(
    patient: PatientFacts, episode_id: UUID, assessment: AssessmentMade, message_id: UUID, now: datetime
) -> dict[str, Any]:
    """An urgent message to the GP: a NEWS2 emergency (7 or more) or a serious concern at a visit."""
    reasons = []
    if assessment.news2_score is not None and assessment.news2_score >= 7:
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
        "sent": _iso(now),
        "payload": payload,
    }


REQUIRED: dict[str, tuple[str, ...]] = {
    "Composition": ("status", "type", "date", "author", "title"),
    "Patient": (),
    "EpisodeOfCare": ("status", "patient"),
    "Encounter": ("status", "class"),
    "Observation": ("status", "code"),
    "ServiceRequest": ("status", "intent", "subject"),
}


def document_problems(bundle: dict[str, Any]) -> list[str]:
    """What a receiver would refuse in a FHIR R4 document Bundle (the invariants bdl-7, bdl-9, bdl-10,
    bdl-11, required elements of the resources used here, resolvable references, XHTML narratives).
    Checked before a summary is sent; empty when the document is sound."""
    problems: list[str] = []
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "document":
        return ["not a document Bundle"]
    identifier = bundle.get("identifier") or {}
    if not identifier.get("system") or not identifier.get("value"):
        problems.append("bdl-9: a document has an identifier with a system and a value")
    if not bundle.get("timestamp"):
        problems.append("bdl-10: a document has a timestamp")
    entries = bundle.get("entry") or []
    if not entries or (entries[0].get("resource") or {}).get("resourceType") != "Composition":
        problems.append("bdl-11: a document's first resource is a Composition")
    urls = [entry.get("fullUrl") for entry in entries]
    if None in urls or len(set(urls)) != len(urls):
        problems.append("bdl-7: every entry has a unique fullUrl")
    for number, entry in enumerate(entries):
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType")
        if kind not in REQUIRED:
            problems.append(f"entry {number}: unexpected resource type {kind}")
            continue
        problems += [f"entry {number} ({kind}): {name} is required" for name in REQUIRED[kind] if not resource.get(name)]
    for reference in _references(bundle):
        if reference not in urls:
            problems.append(f"reference {reference} does not resolve within the document")
    for div in _narratives(bundle):
        if not div.startswith('<div xmlns="http://www.w3.org/1999/xhtml">'):
            problems.append("a narrative is not XHTML")
    return problems


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [ref for value in node.values() for ref in _references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _references(value)]
    return []


def _narratives(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["div"]] if isinstance(node.get("div"), str) else []
        return found + [div for value in node.values() for div in _narratives(value)]
    if isinstance(node, list):
        return [div for value in node for div in _narratives(value)]
    return []

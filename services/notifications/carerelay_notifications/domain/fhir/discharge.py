"""The GP's discharge summary: a FHIR R4 document Bundle (type `document`, Composition first), the
same document for the same episode."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from carerelay_contract.vocabulary import EpisodeOutcome

from .facts import EpisodeSummary
from .resources import ACT_CODE, DISCHARGE_SUMMARY, SERVICE, iso, narrative, observations, patient_resource, urn

OUTCOME_TEXT = {
    EpisodeOutcome.NO_FURTHER_SERVICES: "Back to usual independence: no further services needed.",
    EpisodeOutcome.ONGOING_CARE_PACKAGE: "An ongoing package of care has started.",
    EpisodeOutcome.ADMITTED_TO_HOSPITAL: "Admitted to hospital.",
    EpisodeOutcome.COMMUNITY_BED: "Moved to a community bed for intermediate care.",
    EpisodeOutcome.LONG_TERM_RESIDENTIAL_CARE: "Moved to long-term residential care.",
    EpisodeOutcome.TRANSFERRED_TO_OTHER_SERVICE: "Transferred to another service.",
    EpisodeOutcome.DECLINED_SERVICE: "The person declined the service.",
    EpisodeOutcome.DIED: "The person died.",
}


Entries = list[tuple[str, dict[str, Any]]]
"""(full URL, resource) pairs, in document order."""


def discharge_bundle(episode: EpisodeSummary, bundle_id: UUID, now: datetime) -> dict[str, Any]:
    """The discharge summary as a FHIR R4 document Bundle (type `document`, Composition first)."""
    patient_ref = urn(episode.episode_id, "patient")
    episode_ref = urn(episode.episode_id, "episode-of-care")
    encounters = _encounters(episode, patient_ref, episode_ref)
    found: Entries = []
    if episode.include_assessments:
        for assessment in episode.assessments:
            found += observations(assessment, patient_ref, episode_ref)
    requests = _service_requests(episode, patient_ref)
    sections = [
        _section("Outcome", narrative(OUTCOME_TEXT[episode.outcome], episode.summary), [episode_ref]),
        _section("Visits", narrative(_visits_text(episode)), [url for url, _ in encounters]),
        _section("Assessments", narrative(_assessments_text(episode)), [url for url, _ in found]),
        _section(
            "Onward referrals",
            narrative("; ".join(onward.service for onward in episode.onward_referrals) or "No onward referrals were made."),
            [url for url, _ in requests],
        ),
    ]
    composition = {
        "resourceType": "Composition",
        "status": "final",
        "type": {"coding": [DISCHARGE_SUMMARY]},
        "subject": {"reference": patient_ref},
        "date": iso(now),
        "author": [{"display": SERVICE}],
        "title": "Community rapid response and reablement: discharge summary",
        "event": [
            {
                "period": {"start": iso(episode.started_at), "end": iso(episode.closed_at)},
                "detail": [{"reference": episode_ref}],
            }
        ],
        "section": sections,
    }
    entries: Entries = [
        (urn(episode.episode_id, "composition"), composition),
        (patient_ref, patient_resource(episode.patient)),
        (episode_ref, _episode_of_care(episode, patient_ref)),
        *encounters,
        *found,
        *requests,
    ]
    return {
        "resourceType": "Bundle",
        "id": str(bundle_id),
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{bundle_id}"},
        "type": "document",
        "timestamp": iso(now),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }


def _section(title: str, text: dict[str, str], refs: list[str]) -> dict[str, Any]:
    """A Composition section; it lists entries only when it has some."""
    section: dict[str, Any] = {"title": title, "text": text}
    if refs:
        section["entry"] = [{"reference": ref} for ref in refs]
    return section


def _episode_of_care(episode: EpisodeSummary, patient_ref: str) -> dict[str, Any]:
    return {
        "resourceType": "EpisodeOfCare",
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{episode.episode_id}"}],
        "status": "finished",
        "patient": {"reference": patient_ref},
        "managingOrganization": {"display": SERVICE},
        "period": {"start": iso(episode.started_at), "end": iso(episode.closed_at)},
    }


def _encounters(episode: EpisodeSummary, patient_ref: str, episode_ref: str) -> Entries:
    """An Encounter (class HH, home health) per visit made."""
    found: Entries = []
    for visit in episode.visits:
        encounter: dict[str, Any] = {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"system": ACT_CODE, "code": "HH", "display": "home health"},
            "subject": {"reference": patient_ref},
            "episodeOfCare": [{"reference": episode_ref}],
            "period": {"start": iso(visit.at)},
        }
        if visit.discipline:
            encounter["serviceType"] = {"text": visit.discipline}
        found.append((urn(visit.visit_id, "encounter"), encounter))
    return found


def _service_requests(episode: EpisodeSummary, patient_ref: str) -> Entries:
    """A ServiceRequest per onward referral."""
    found: Entries = []
    for onward in episode.onward_referrals:
        request: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "status": "active",
            "intent": "order",
            "code": {"text": onward.service},
            "subject": {"reference": patient_ref},
            "authoredOn": iso(onward.made_at),
        }
        if onward.reason:
            request["reasonCode"] = [{"text": onward.reason}]
        if onward.wanted_from:
            request["occurrencePeriod"] = {"start": onward.wanted_from.isoformat()}
        found.append((urn(onward.onward_referral_id, "service-request"), request))
    return found


def _visits_text(episode: EpisodeSummary) -> str:
    if not episode.visits:
        return "No visits were made."
    first, last = min(v.at for v in episode.visits), max(v.at for v in episode.visits)
    return f"{len(episode.visits)} visits made at home, {first:%d %b %Y} to {last:%d %b %Y}."


def _assessments_text(episode: EpisodeSummary) -> str:
    if not episode.include_assessments:
        return "Assessments are not shared: the person has not agreed to professional sharing."
    if episode.assessments:
        return f"{len(episode.assessments)} assessments recorded."
    return "No assessments recorded."

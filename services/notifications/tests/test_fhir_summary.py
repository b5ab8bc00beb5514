from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from carerelay_contract.vocabulary import EpisodeOutcome
from carerelay_notifications.domain.fhir.checks import document_problems, fhir_document
from carerelay_notifications.domain.fhir.discharge import discharge_bundle
from carerelay_notifications.domain.fhir.facts import AssessmentMade, EpisodeSummary, OnwardReferral, PatientFacts, VisitMade
from carerelay_notifications.domain.fhir.urgent import urgent_communication

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PATIENT = PatientFacts("9990000018", "Alice", "Archer", date(1938, 4, 2), "4 Mill Lane, Northgate", "LE1 1AA", "C82001")


def an_episode(include_assessments: bool = True) -> EpisodeSummary:
    return EpisodeSummary(
        episode_id=uuid4(),
        patient=PATIENT,
        started_at=START,
        closed_at=START + timedelta(weeks=5),
        outcome=EpisodeOutcome.ONGOING_CARE_PACKAGE,
        summary="Home with a morning package of care <from social services>.",
        visits=tuple(VisitMade(uuid4(), START + timedelta(days=day), "carer") for day in range(3)),
        assessments=(
            AssessmentMade(
                uuid4(), "initial", START, news2_score=3, clinical_frailty_scale=6, summary="Unsteady; fears falling."
            ),
            AssessmentMade(uuid4(), "falls-risk", START + timedelta(days=1), summary="High falls risk"),
        ),
        onward_referrals=(
            OnwardReferral(uuid4(), "Social services: morning package", START, "Needs help washing", date(2026, 2, 9)),
        ),
        include_assessments=include_assessments,
    )


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def test_the_discharge_summary_is_a_sound_fhir_document() -> None:
    bundle = discharge_bundle(an_episode(), uuid4(), START + timedelta(weeks=5))
    assert document_problems(bundle) == []
    assert bundle["type"] == "document"
    assert bundle["entry"][0]["resource"]["resourceType"] == "Composition"
    composition = bundle["entry"][0]["resource"]
    assert composition["type"]["coding"][0]["code"] == "18842-5"
    assert [section["title"] for section in composition["section"]] == ["Outcome", "Visits", "Assessments", "Onward referrals"]


def test_the_fhir_library_parses_the_document_and_names_what_it_refuses() -> None:
    bundle = discharge_bundle(an_episode(), uuid4(), START + timedelta(weeks=5))
    written, problems = fhir_document(bundle)
    assert problems == []
    assert [entry["fullUrl"] for entry in written["entry"]] == [entry["fullUrl"] for entry in bundle["entry"]]
    assert written["entry"][1]["resource"]["birthDate"] == "1938-04-02"
    broken = discharge_bundle(an_episode(), uuid4(), START)
    broken["entry"][1]["resource"]["birthDate"] = "1938-13-40"
    broken["entry"][0]["resource"]["colour"] = "blue"
    _, refused = fhir_document(broken)
    assert any(problem.startswith("entry.1.resource.birthDate:") for problem in refused)
    assert "entry.0.resource.colour: Extra inputs are not permitted" in refused
    untitled = discharge_bundle(an_episode(), uuid4(), START)
    del untitled["entry"][0]["resource"]["type"]
    assert "entry.0.resource.type: Field required" in fhir_document(untitled)[1]


def test_it_says_who_the_outcome_the_visits_the_assessments_and_the_onward_referrals() -> None:
    bundle = discharge_bundle(an_episode(), uuid4(), START)
    (patient,) = resources(bundle, "Patient")
    assert patient["identifier"][0] == {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000018"}
    assert patient["generalPractitioner"][0]["identifier"]["value"] == "C82001"
    (episode,) = resources(bundle, "EpisodeOfCare")
    assert episode["status"] == "finished"
    encounters = resources(bundle, "Encounter")
    assert len(encounters) == 3
    assert all(encounter["class"]["code"] == "HH" for encounter in encounters)
    observations = resources(bundle, "Observation")
    assert sorted(o["code"].get("text") for o in observations) == ["Clinical Frailty Scale", "NEWS2", "falls-risk assessment"]
    (onward,) = resources(bundle, "ServiceRequest")
    assert onward["code"]["text"] == "Social services: morning package"
    outcome = bundle["entry"][0]["resource"]["section"][0]["text"]["div"]
    assert "An ongoing package of care has started." in outcome
    assert "&lt;from social services&gt;" in outcome, "free text is escaped in the XHTML narrative"


def test_without_agreement_to_share_the_assessments_are_left_out() -> None:
    bundle = discharge_bundle(an_episode(include_assessments=False), uuid4(), START)
    assert document_problems(bundle) == []
    assert resources(bundle, "Observation") == []
    assert "not agreed to professional sharing" in bundle["entry"][0]["resource"]["section"][2]["text"]["div"]


def test_the_same_episode_gives_the_same_resource_urls() -> None:
    episode, bundle_id = an_episode(), uuid4()
    first, again = discharge_bundle(episode, bundle_id, START), discharge_bundle(episode, bundle_id, START)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in again["entry"]]


def test_the_checker_finds_what_a_receiver_would_refuse() -> None:
    bundle = discharge_bundle(an_episode(), uuid4(), START)
    bundle["entry"] = bundle["entry"][1:]  # Composition no longer first, and its references gone
    bundle["entry"][0]["resource"]["subject"] = {"reference": "urn:uuid:nowhere"}
    problems = document_problems(bundle)
    assert any(problem.startswith("bdl-11") for problem in problems)
    assert document_problems({"resourceType": "Bundle", "type": "collection"}) == ["not a document Bundle"]


def test_an_urgent_message_is_an_urgent_communication_saying_why() -> None:
    assessment = AssessmentMade(uuid4(), "news2", START, news2_score=8, serious_concern=True)
    message = urgent_communication(PATIENT, uuid4(), assessment, uuid4(), START)
    assert message["resourceType"] == "Communication"
    assert message["priority"] == "urgent"
    assert "NEWS2 score 8" in message["payload"][0]["contentString"]
    assert "serious concern" in message["payload"][0]["contentString"]
    assert message["recipient"][0]["identifier"]["value"] == "C82001"

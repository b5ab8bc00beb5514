"""Who is told what, as pure rules: each trigger given an event and the facts the service keeps,
and the messages it asks for (no database, no broker)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from carerelay_contract.episode import (
    AssessmentRecorded,
    CarePlanChangeDeclined,
    CarePlanChangeProposed,
    CarePlanUpdated,
    DischargeRecommended,
    EpisodeClosed,
)
from carerelay_contract.hospital import PatientAdmitted, PatientDischarged
from carerelay_contract.referral import ReferralAccepted, ReferralRejected
from carerelay_contract.triage import ResponseClockBreached
from carerelay_contract.visit import VisitAssigned, VisitCancelled, VisitEnRoute, VisitMissed, VisitRunningLate
from carerelay_contract.vocabulary import (
    AssessmentKind,
    ConsentScope,
    EpisodeOutcome,
    MissedVisitReason,
    NotificationAudience,
    NotificationChannel,
    PreferredChannel,
    ResponseTier,
    VisitPurpose,
)
from carerelay_notifications.domain.consent import ConsentState, Contact, professional_sharing_agreed, stopped_by_withdrawal
from carerelay_notifications.domain.fhir.checks import document_problems
from carerelay_notifications.domain.fhir.facts import EpisodeRecord, PatientFacts, Referred, VisitMade
from carerelay_notifications.domain.messages import MessageRequest, Status, Trigger, first_state
from carerelay_notifications.domain.reach import Reach
from carerelay_notifications.domain.triggers import gp, hub, people, referrer, staff
from carerelay_notifications.domain.visits import KnownVisit
from carerelay_notifications.settings import NotificationsSettings

LONDON = ZoneInfo("Europe/London")
NOON = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)
EVENING = datetime(2026, 1, 14, 22, 0, tzinfo=UTC)
EPISODE, NURSE = uuid4(), uuid4()
REACH = Reach(zone=LONDON, quiet_hours_start=time(21), quiet_hours_end=time(8), urgent_visit_within=timedelta(hours=4))
EVERYTHING_ON = Reach(
    zone=LONDON,
    quiet_hours_start=time(21),
    quiet_hours_end=time(8),
    urgent_visit_within=timedelta(hours=4),
    staff_with_email=frozenset({str(NURSE)}),
    hub_email=True,
    integrator_webhook=True,
    gp_practices=frozenset({"C82001"}),
)
MRS_A = PatientFacts("9990000018", "Alice", "Archer", date(1938, 4, 2), "4 Mill Lane, Northgate", "LE1 1AA", "C82001")


def trigger(at: datetime = NOON) -> Trigger:
    return Trigger(str(uuid4()), at)


def planned(purpose: VisitPurpose, deadline: datetime | None = None, discipline: str = "nurse") -> KnownVisit:
    return KnownVisit(uuid4(), EPISODE, "planned", purpose.value, discipline, deadline)


def assigned(visit: KnownVisit | None = None, start: datetime = NOON + timedelta(hours=1)) -> VisitAssigned:
    return VisitAssigned(episode_id=EPISODE, visit_id=visit.visit_id if visit else uuid4(), staff_id=NURSE, planned_start=start)


def reached(wanted: list[MessageRequest]) -> set[tuple[NotificationAudience, NotificationChannel, str]]:
    return {(m.audience, m.channel, m.recipient_ref) for m in wanted}


def contact(channel: PreferredChannel = PreferredChannel.EMAIL, told_plan: bool = True) -> Contact:
    return Contact(ref=str(uuid4()), preferred_channel=channel, has_email=True, has_mobile=True, may_be_told_plan=told_plan)


# ---------------------------------------------------------------- field staff


def test_an_assignment_is_in_the_app_and_by_email_only_for_staff_who_asked() -> None:
    (message,) = staff.visit_assigned(REACH, assigned(planned(VisitPurpose.CARE)), None, NOON)
    assert (message.audience, message.channel, message.template) == (
        NotificationAudience.FIELD_STAFF,
        NotificationChannel.IN_APP,
        "visit-assigned",
    )
    assert message.recipient_ref == str(NURSE)
    assert not message.urgent
    assert "Wednesday 14 January at 13:00" in message.body, "times are local"
    both = staff.visit_assigned(EVERYTHING_ON, assigned(), None, NOON)
    assert [m.channel for m in both] == [NotificationChannel.IN_APP, NotificationChannel.EMAIL]


def test_a_first_response_or_a_close_deadline_is_an_urgent_assignment() -> None:
    first = planned(VisitPurpose.FIRST_RESPONSE)
    (urgent,) = staff.visit_assigned(REACH, assigned(first), first, NOON)
    assert (urgent.template, urgent.urgent, urgent.subject) == (
        "urgent-visit-assigned",
        True,
        "Urgent: a visit added to your round",
    )
    soon = planned(VisitPurpose.CARE, deadline=NOON + timedelta(hours=3))
    assert staff.visit_assigned(REACH, assigned(soon), soon, NOON)[0].urgent
    later = planned(VisitPurpose.CARE, deadline=NOON + timedelta(hours=5))
    assert not staff.visit_assigned(REACH, assigned(later), later, NOON)[0].urgent


def test_a_cancelled_visit_tells_whoever_had_it_and_nobody_when_no_one_did() -> None:
    cancelled = VisitCancelled(episode_id=EPISODE, visit_id=uuid4(), cancelled_at=NOON, reason="admitted to hospital")
    never_assigned = planned(VisitPurpose.CARE)
    assert staff.visit_cancelled(REACH, cancelled, never_assigned) == []
    had = KnownVisit(cancelled.visit_id, EPISODE, "assigned", staff_id=NURSE, planned_start=NOON)
    (told,) = staff.visit_cancelled(REACH, cancelled, had)
    assert told.recipient_ref == str(NURSE)
    assert told.body == "A visit on your round (Wednesday 14 January at 12:00) is cancelled: admitted to hospital."


# ---------------------------------------------------------------- patients and families


def test_who_is_coming_is_told_for_the_first_visit_and_for_tomorrows_care_only() -> None:
    patient, daughter = contact(PreferredChannel.SMS), contact(told_plan=True)
    household = people.People(patient, (daughter,), {})
    care = planned(VisitPurpose.CARE, discipline="carer")
    told = people.who_is_coming(REACH, assigned(care), care, True, household, NOON)
    assert reached(told) == {
        (NotificationAudience.PATIENT, NotificationChannel.SMS, patient.ref),
        (NotificationAudience.FAMILY, NotificationChannel.EMAIL, daughter.ref),
    }
    family = next(m for m in told if m.audience is NotificationAudience.FAMILY)
    assert family.body.startswith("A carer visit from the community team")
    assert people.who_is_coming(REACH, assigned(care), care, False, household, NOON) == [], "not the first, not tomorrow"
    tomorrow = assigned(care, start=NOON + timedelta(days=1))
    assert len(people.who_is_coming(REACH, tomorrow, care, False, household, NOON)) == 2


def test_family_are_told_only_with_the_patients_permission_and_letters_only_for_news_that_can_wait() -> None:
    refused = people.People(None, (contact(told_plan=False),), {})
    late = VisitRunningLate(
        episode_id=EPISODE,
        visit_id=uuid4(),
        staff_id=NURSE,
        at=NOON,
        expected_arrival=NOON + timedelta(minutes=20),
        minutes_late=20,
    )
    assert people.running_late(REACH, late, None, refused) == []
    withdrawn = people.People(contact(), (), {ConsentScope.CONTACT_BY_MESSAGE: ConsentState(False)})
    assert people.running_late(REACH, late, None, withdrawn) == []
    by_post = people.People(contact(PreferredChannel.LETTER), (), {})
    assert people.running_late(REACH, late, None, by_post) == [], "a letter is no use for a visit running late"
    next_week = assigned(start=NOON + timedelta(days=7))
    (letter,) = people.who_is_coming(REACH, next_week, None, True, by_post, NOON)
    assert letter.channel is NotificationChannel.LETTER
    (running,) = people.running_late(REACH, late, None, people.People(contact(), (), {}))
    assert running.urgent, "the visit is happening now: never held by quiet hours"
    assert running.body == "Your care visit is running about 20 minutes late; expected around 12:20."


def test_the_end_of_care_is_told_once_by_letter_if_need_be_and_never_for_a_death() -> None:
    ended = EpisodeClosed(episode_id=EPISODE, closed_at=NOON, outcome=EpisodeOutcome.ONGOING_CARE_PACKAGE)
    told = people.People(contact(PreferredChannel.LETTER), (contact(PreferredChannel.SMS),), {})
    letter, family = people.care_ended(ended, told)
    assert (letter.audience, letter.channel, letter.template) == (
        NotificationAudience.PATIENT,
        NotificationChannel.LETTER,
        "care-ended",
    )
    assert not letter.urgent, "news that can wait: quiet hours hold it"
    assert "an ongoing package of care takes over" in letter.body
    assert (family.audience, family.channel) == (NotificationAudience.FAMILY, NotificationChannel.SMS)
    died = EpisodeClosed(episode_id=EPISODE, closed_at=NOON, outcome=EpisodeOutcome.DIED)
    assert people.care_ended(died, told) == [], "the team tells the family in person"
    withdrawn = people.People(contact(), (), {ConsentScope.CONTACT_BY_MESSAGE: ConsentState(False)})
    assert people.care_ended(ended, withdrawn) == []


def test_on_the_way_is_told_for_a_first_response_but_not_the_daily_care_round() -> None:
    first = planned(VisitPurpose.FIRST_RESPONSE)
    care = planned(VisitPurpose.CARE, discipline="carer")
    on_way = VisitEnRoute(
        episode_id=EPISODE, visit_id=first.visit_id, staff_id=NURSE, at=NOON, expected_arrival=NOON + timedelta(minutes=15)
    )
    told = people.People(contact(PreferredChannel.SMS), (), {})
    (sms,) = people.on_the_way(REACH, on_way, first, told)
    assert (sms.channel, sms.template, sms.urgent) == (NotificationChannel.SMS, "on-the-way", True)
    assert sms.body == "Your nurse from the community team is on the way, expected around 12:15."
    assert people.on_the_way(REACH, on_way, care, told) == []
    assert people.on_the_way(REACH, on_way, first, people.People(contact(PreferredChannel.LETTER), (), {})) == []


def test_a_proposed_care_plan_change_reaches_the_coordinators_and_its_decision_the_proposer() -> None:
    proposed = CarePlanChangeProposed(
        episode_id=EPISODE, proposal_id=uuid4(), proposed_at=NOON, proposed_by_staff_id=NURSE, reason="Add a teatime visit"
    )
    wanted = hub.care_plan_change_proposed(REACH, proposed, trigger(), "north")
    assert (NotificationAudience.COORDINATOR, NotificationChannel.IN_APP, "team:north") in reached(wanted)
    assert wanted[0].body.startswith("A care plan change is proposed: Add a teatime visit (no visits given")
    declined = CarePlanChangeDeclined(
        episode_id=EPISODE,
        proposal_id=proposed.proposal_id,
        declined_at=NOON,
        declined_by="Daniel Hughes",
        reason="No carer at teatime",
        proposed_by_staff_id=NURSE,
    )
    (refusal,) = staff.care_plan_change_decided(REACH, declined)
    assert (refusal.recipient_ref, refusal.template) == (str(NURSE), "care-plan-change-declined")
    assert "declined by Daniel Hughes: No carer at teatime" in refusal.body
    updated = CarePlanUpdated(
        episode_id=EPISODE,
        care_plan_id=uuid4(),
        updated_at=NOON,
        updated_by_staff_id=uuid4(),
        visits=[],
        reason="Add a teatime visit",
        proposed_by_staff_id=NURSE,
    )
    (agreed,) = staff.care_plan_change_decided(REACH, updated)
    assert agreed.template == "care-plan-change-agreed"
    assert staff.care_plan_change_decided(REACH, updated.model_copy(update={"proposed_by_staff_id": None})) == []


def test_a_hospital_stay_tells_the_hub_and_the_team_and_an_unmatched_one_nobody() -> None:
    stay = {"hospital_encounter_id": "hub:1", "nhs_number": "9990000018", "hospital": "County General", "ward": "Ward 7"}
    admitted = PatientAdmitted(episode_id=EPISODE, admitted_at=NOON, **stay)
    (in_app, coordinators) = hub.hospital_stay(REACH, admitted, trigger(), "north")
    assert (in_app.template, in_app.urgent) == ("patient-admitted", False)
    assert in_app.body.startswith("Admitted to hospital (County General, Ward 7)")
    assert coordinators.recipient_ref == "team:north"
    home = PatientDischarged(episode_id=EPISODE, discharged_at=NOON, **stay)
    assert hub.hospital_stay(REACH, home, trigger(), None)[0].template == "patient-discharged"
    assert hub.hospital_stay(REACH, PatientAdmitted(admitted_at=NOON, **stay), trigger(), "north") == []


def test_a_discharge_recommendation_tells_the_hub_and_the_team_not_urgently() -> None:
    recommended = DischargeRecommended(
        episode_id=EPISODE,
        recommendation_id=uuid4(),
        recommended_at=NOON,
        recommended_by_staff_id=NURSE,
        outcome=EpisodeOutcome.NO_FURTHER_SERVICES,
        summary="Managing alone",
    )
    wanted = hub.discharge_recommended(REACH, recommended, trigger(), "north")
    assert reached(wanted) == {
        (NotificationAudience.HUB, NotificationChannel.IN_APP, "hub"),
        (NotificationAudience.COORDINATOR, NotificationChannel.IN_APP, "team:north"),
    }
    assert {m.template for m in wanted} == {"discharge-recommended"}
    assert not any(m.urgent for m in wanted)
    assert wanted[0].body.startswith("Discharge recommended: no-further-services (Managing alone).")


# ---------------------------------------------------------------- the hub


def test_the_hub_and_the_teams_coordinators_are_told_in_the_app_and_by_email_and_webhook_when_set() -> None:
    missed = VisitMissed(episode_id=EPISODE, visit_id=uuid4(), at=NOON, reason=MissedVisitReason.NO_ACCESS)
    cause = trigger()
    assert reached(hub.visit_missed(REACH, missed, cause, team=None)) == {
        (NotificationAudience.HUB, NotificationChannel.IN_APP, "hub")
    }
    wanted = hub.visit_missed(EVERYTHING_ON, missed, cause, team="north")
    assert reached(wanted) == {
        (NotificationAudience.HUB, NotificationChannel.IN_APP, "hub"),
        (NotificationAudience.COORDINATOR, NotificationChannel.IN_APP, "team:north"),
        (NotificationAudience.HUB, NotificationChannel.EMAIL, "hub"),
        (NotificationAudience.INTEGRATOR, NotificationChannel.WEBHOOK, "integrator"),
    }
    assert all(m.urgent and m.body == "A visit was missed: no access to the home." for m in wanted)
    webhook = next(m for m in wanted if m.channel is NotificationChannel.WEBHOOK)
    assert webhook.payload == {
        "type": "visit-missed",
        "episode_id": str(EPISODE),
        "trigger_event_id": cause.event_id,
        "message": wanted[0].body,
        "urgent": True,
        "at": NOON.isoformat(),
    }


def test_a_breached_clock_names_the_tier_and_the_local_deadline() -> None:
    breached = ResponseClockBreached(
        episode_id=EPISODE, referral_id=uuid4(), tier=ResponseTier.UCR_2H, deadline=NOON, at=NOON + timedelta(minutes=1)
    )
    (alert,) = hub.clock_breached(REACH, breached, trigger(), team=None)
    assert (alert.template, alert.body) == (
        "response-clock-breached",
        "A ucr-2h response missed its deadline of Wednesday 14 January at 12:00.",
    )


# ---------------------------------------------------------------- GPs


def an_assessment(news2: int | None = None, concern: bool = False) -> AssessmentRecorded:
    return AssessmentRecorded(
        episode_id=EPISODE,
        assessment_id=uuid4(),
        kind=AssessmentKind.NEWS2,
        recorded_at=NOON,
        recorded_by_staff_id=NURSE,
        news2_score=news2,
        serious_concern=concern,
    )


def test_a_news2_emergency_or_a_serious_concern_tells_the_hub_and_the_gp_when_the_practice_can_be_reached() -> None:
    assert gp.urgent_clinical_update(EVERYTHING_ON, an_assessment(news2=6), MRS_A, trigger(), None) == []
    emergency = gp.urgent_clinical_update(EVERYTHING_ON, an_assessment(news2=7), MRS_A, trigger(), None)
    to_gp = next(m for m in emergency if m.audience is NotificationAudience.GP)
    assert (to_gp.channel, to_gp.recipient_ref, to_gp.template) == (
        NotificationChannel.WEBHOOK,
        "C82001",
        "urgent-clinical-update",
    )
    assert to_gp.payload is not None
    assert to_gp.payload["resourceType"] == "Communication"
    unreachable = gp.urgent_clinical_update(REACH, an_assessment(concern=True), MRS_A, trigger(), None)
    assert reached(unreachable) == {(NotificationAudience.HUB, NotificationChannel.IN_APP, "hub")}
    assert unreachable[0].body == "A serious concern was recorded at a visit."


def test_the_discharge_summary_goes_to_a_reachable_gp_and_leaves_out_assessments_without_sharing_consent() -> None:
    closed = EpisodeClosed(episode_id=EPISODE, closed_at=NOON, outcome=EpisodeOutcome.NO_FURTHER_SERVICES)
    referred = Referred(MRS_A, NOON - timedelta(weeks=3), consent_to_share=False)
    happened = EpisodeRecord(visits=(VisitMade(uuid4(), NOON - timedelta(days=1), "nurse"),))
    assert gp.discharge_summary(REACH, closed, referred, happened, {}, trigger(), None) == ([], [])
    assert gp.discharge_summary(EVERYTHING_ON, closed, None, happened, {}, trigger(), None) == ([], [])
    (summary,), problems = gp.discharge_summary(EVERYTHING_ON, closed, referred, happened, {}, trigger(), None)
    assert problems == []
    assert (summary.audience, summary.template, summary.recipient_ref) == (NotificationAudience.GP, "discharge-summary", "C82001")
    assert summary.body == "Discharge summary: no-further-services, 1 visits (FHIR document Bundle)."
    assert summary.payload is not None
    assert document_problems(summary.payload) == []
    assert gp.discharge_bundle_id(EPISODE) == UUID(summary.payload["id"]), "the same episode gives the same document"
    built = gp.episode_summary(closed, referred, happened, {})
    assert not built.include_assessments, "the referral said no to sharing"
    agreed = {ConsentScope.PROFESSIONAL_SHARING: ConsentState(True)}
    assert gp.episode_summary(closed, referred, happened, agreed).include_assessments


def test_professional_sharing_follows_the_latest_consent_else_the_referral() -> None:
    assert professional_sharing_agreed({}, consent_to_share=True)
    assert not professional_sharing_agreed({ConsentScope.PROFESSIONAL_SHARING: ConsentState(False)}, consent_to_share=True)
    assert stopped_by_withdrawal(ConsentScope.FAMILY_INVOLVEMENT) == {NotificationAudience.FAMILY}
    assert stopped_by_withdrawal(ConsentScope.CONTACT_BY_MESSAGE) == {NotificationAudience.PATIENT}
    assert stopped_by_withdrawal(ConsentScope.PROFESSIONAL_SHARING) == set()


# ---------------------------------------------------------------- the referrer


def test_the_referrer_is_told_by_the_sending_system_then_email_then_a_mobile_else_the_hub_calls_back() -> None:
    referral = uuid4()
    accepted = ReferralAccepted(episode_id=EPISODE, referral_id=referral, accepted_at=NOON, accepted_by="Ruth Ellis")
    landline = referrer.ReferrerContact("Northgate Surgery", "0116 496 0001")
    rejected = ReferralRejected(
        episode_id=EPISODE, referral_id=referral, rejected_at=NOON, rejected_by="Ruth Ellis", reason="Not in our area."
    )
    by_webhook = referrer.decision_notice(rejected, "county-general-ehr", landline)
    assert (by_webhook.channel, by_webhook.template, by_webhook.recipient_ref) == (
        NotificationChannel.WEBHOOK,
        "referral-rejected",
        f"referral:{referral}",
    )
    assert by_webhook.body == "Your referral was not accepted by the community hub: Not in our area."
    assert by_webhook.payload is not None
    assert (by_webhook.payload["status"], by_webhook.payload["reason"]) == ("rejected", "Not in our area.")
    by_email = referrer.decision_notice(
        accepted, None, referrer.ReferrerContact("Northgate Surgery", "0116 496 0001", "a@nhs.net")
    )
    assert (by_email.audience, by_email.channel, by_email.payload) == (
        NotificationAudience.REFERRER,
        NotificationChannel.EMAIL,
        None,
    )
    for mobile in ("07700 900123", "+44 7700 900123", "07700-900123"):
        by_sms = referrer.decision_notice(accepted, None, referrer.ReferrerContact("Ward 7", mobile))
        assert by_sms.channel is NotificationChannel.SMS, mobile
    call_back = referrer.decision_notice(accepted, None, landline)
    assert (call_back.audience, call_back.channel, call_back.recipient_ref) == (
        NotificationAudience.HUB,
        NotificationChannel.IN_APP,
        "hub",
    )
    assert call_back.body.startswith("Call the referrer back on 0116 496 0001 (Northgate Surgery)")


# ---------------------------------------------------------------- the state a message starts in


def test_in_app_is_delivered_when_stored_a_referrers_notice_sent_at_once_and_quiet_hours_hold_the_rest() -> None:
    to_staff = MessageRequest(EPISODE, NotificationAudience.FIELD_STAFF, NotificationChannel.IN_APP, str(NURSE), "t", "b")
    assert first_state(to_staff, EVENING, REACH).status is Status.DELIVERED
    assert first_state(to_staff, EVENING, REACH).delivered_at == EVENING
    notice = MessageRequest(EPISODE, NotificationAudience.REFERRER, NotificationChannel.SMS, "referral:x", "t", "b")
    assert (first_state(notice, EVENING, REACH).status, first_state(notice, EVENING, REACH).next_attempt_at) == (
        Status.PENDING,
        EVENING,
    ), "a professional's notice is not held by the people's quiet hours"
    family = MessageRequest(EPISODE, NotificationAudience.FAMILY, NotificationChannel.EMAIL, "c", "t", "b")
    assert first_state(family, NOON, REACH).next_attempt_at == NOON
    held = first_state(family, EVENING, REACH)
    assert (held.status, held.next_attempt_at) == (Status.PENDING, datetime(2026, 1, 15, 8, 0, tzinfo=UTC))
    urgent = MessageRequest(EPISODE, NotificationAudience.FAMILY, NotificationChannel.EMAIL, "c", "t", "b", urgent=True)
    assert first_state(urgent, EVENING, REACH).next_attempt_at == EVENING


def test_the_reach_is_what_the_settings_turn_on() -> None:
    off = NotificationsSettings(staff_emails={str(NURSE): "amara@example.org"}, gp_endpoint_default="https://gp.example/in")
    assert off.reach().staff_with_email == frozenset(), "no SMTP host: no email copies"
    assert not off.reach().reaches_gp("C82001"), "no webhook secret: no GP messages"
    on = NotificationsSettings(
        smtp_host="127.0.0.1",
        hub_email="hub@example.org",
        staff_emails={str(NURSE): "amara@example.org"},
        webhook_secret=SecretStr("s"),
        gp_endpoints={"C82002": "https://c82002.example/in"},
        integrator_webhook_url="https://ehr.example/in",
        timezone="Europe/London",
        urgent_visit_within_minutes=90,
    )
    reach = on.reach()
    assert reach.staff_with_email == {str(NURSE)}
    assert reach.hub_email
    assert reach.integrator_webhook
    assert reach.reaches_gp("C82002")
    assert not reach.reaches_gp("C82001")
    assert reach.urgent_visit_within == timedelta(minutes=90)
    assert reach.zone == LONDON

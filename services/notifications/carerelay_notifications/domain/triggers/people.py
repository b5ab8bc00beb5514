"""Patients and families: who is coming and when, on the way, a visit running late, and the end of their care,
only as consent and their contact preferences allow (`consent.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from carerelay_contract.episode import EpisodeClosed
from carerelay_contract.visit import VisitAssigned, VisitEnRoute, VisitRunningLate
from carerelay_contract.vocabulary import NotificationAudience, VisitPurpose

from .. import wording
from ..consent import Consents, Contact, channel_for, may_be_messaged
from ..messages import MessageRequest
from ..reach import Reach
from ..visits import KnownVisit, discipline_of, is_urgent

NO_LETTER_WITHIN = timedelta(days=2)
"""A visit this close is news that cannot wait for the post."""


@dataclass(frozen=True)
class People:
    """Who may be told about an episode: the patient and their family contacts, and what was agreed."""

    patient: Contact | None
    family: tuple[Contact, ...] = ()
    consents: Consents | None = None

    def audiences(self) -> list[tuple[NotificationAudience, Contact]]:
        found = [(NotificationAudience.PATIENT, self.patient)] if self.patient else []
        return found + [(NotificationAudience.FAMILY, contact) for contact in self.family]


def tell_patient_and_family(
    people: People,
    episode_id: UUID,
    template: str,
    subject: str,
    bodies: Mapping[NotificationAudience, str],
    urgent: bool,
    time_critical: bool,
) -> list[MessageRequest]:
    """One message to each person who may be messaged, by the channel they chose if it can be used."""
    wanted = []
    for audience, contact in people.audiences():
        if not may_be_messaged(audience, contact, people.consents or {}):
            continue
        channel = channel_for(contact, time_critical)
        if channel is None:
            continue
        wanted.append(MessageRequest(episode_id, audience, channel, contact.ref, template, bodies[audience], subject, urgent))
    return wanted


def who_is_coming(
    reach: Reach, event: VisitAssigned, visit: KnownVisit | None, first_assigned: bool, people: People, now: datetime
) -> list[MessageRequest]:
    """Told for the episode's first assigned visit and for a care visit planned for tomorrow; urgent
    (never held by quiet hours) when the visit is."""
    tomorrow = (now.astimezone(reach.zone) + timedelta(days=1)).date()
    care_tomorrow = (
        visit is not None
        and visit.purpose == VisitPurpose.CARE.value
        and event.planned_start.astimezone(reach.zone).date() == tomorrow
    )
    if not (first_assigned or care_tomorrow):
        return []
    when = wording.local(event.planned_start, reach.zone)
    return tell_patient_and_family(
        people,
        event.episode_id,
        "who-is-coming",
        wording.WHO_IS_COMING,
        wording.who_is_coming(discipline_of(visit), when),
        urgent=is_urgent(visit, now, reach.urgent_visit_within),
        time_critical=event.planned_start - now < NO_LETTER_WITHIN,
    )


def on_the_way(reach: Reach, event: VisitEnRoute, visit: KnownVisit | None, people: People) -> list[MessageRequest]:
    """Urgent and only by SMS or email (the visit is minutes away): "on my way", with the expected arrival.
    For a first response, an assessment or a review, not the daily care round (twice a day for weeks
    would be noise: the person knows their round)."""
    if visit is None or visit.purpose == VisitPurpose.CARE.value:
        return []
    expected = f"{event.expected_arrival.astimezone(reach.zone):%H:%M}" if event.expected_arrival else None
    return tell_patient_and_family(
        people,
        event.episode_id,
        "on-the-way",
        wording.ON_THE_WAY,
        wording.on_the_way(discipline_of(visit), expected),
        urgent=True,
        time_critical=True,
    )


def running_late(reach: Reach, event: VisitRunningLate, visit: KnownVisit | None, people: People) -> list[MessageRequest]:
    """Urgent: the visit is happening now (at night too, for the night team); held until morning it
    would be useless."""
    expected = f"{event.expected_arrival.astimezone(reach.zone):%H:%M}"
    return tell_patient_and_family(
        people,
        event.episode_id,
        "running-late",
        wording.RUNNING_LATE,
        wording.running_late(discipline_of(visit), event.minutes_late, expected),
        urgent=True,
        time_critical=True,
    )


def care_ended(event: EpisodeClosed, people: People) -> list[MessageRequest]:
    """Once, when the episode closes (not urgent: a letter will do). Never for a death: the team tells the
    family in person."""
    because = wording.ENDED_BECAUSE.get(event.outcome)
    if because is None:
        return []
    return tell_patient_and_family(
        people,
        event.episode_id,
        "care-ended",
        wording.CARE_ENDED,
        wording.care_ended(because),
        urgent=False,
        time_critical=False,
    )

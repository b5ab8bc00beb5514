"""Hospital admissions and discharges from ADT feeds (topic carerelay.hospital-adt.v1).
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime

from carerelay_clinical.nhs_number import NhsNumber

from .model import Event, ShortText
from .topics import Topic


class _HospitalEvent(Event):
    episode_id: UUID | None = None  # type: ignore[assignment]
    hospital_encounter_id: ShortText
    nhs_number: NhsNumber
    hospital: ShortText
    ward: ShortText | None = None

    def partition_key(self) -> str:
        return str(self.episode_id) if self.episode_id else self.hospital_encounter_id


class PatientAdmitted(_HospitalEvent):
    event_type = "patient.admitted"
    topic = Topic.HOSPITAL_ADT

    admitted_at: AwareDatetime


class PatientDischarged(_HospitalEvent):
    event_type = "patient.discharged"
    topic = Topic.HOSPITAL_ADT

    discharged_at: AwareDatetime
    medically_fit_at: AwareDatetime | None = None

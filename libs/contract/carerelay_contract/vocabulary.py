"""The domain's words, shared by every event (see shared/domain.md)."""

from __future__ import annotations

from enum import StrEnum


class LeadDiscipline(StrEnum):
    NURSE = "nurse"
    THERAPIST = "therapist"
    SOCIAL_CARE = "social-care"


class ResponseTier(StrEnum):
    """How fast first contact must happen. UCR is the national 2-hour Urgent Community Response."""

    UCR_2H = "ucr-2h"
    RAPID = "rapid"
    FAST = "fast"
    NORMAL = "normal"


class ReferralRoute(StrEnum):
    STEP_UP = "step-up"
    """Admission avoidance, from the community."""
    STEP_DOWN = "step-down"
    """Discharge support, from a ward."""


class CareSetting(StrEnum):
    HOME = "home"
    COMMUNITY_BED = "community-bed"


class ReferrerRole(StrEnum):
    GP = "gp"
    WARD_TEAM = "ward-team"
    AMBULANCE_CREW = "ambulance-crew"
    CARE_HOME = "care-home"
    NHS_111 = "nhs-111"
    COMMUNITY_TEAM = "community-team"
    SOCIAL_WORKER = "social-worker"
    FAMILY_OR_CARER = "family-or-carer"
    SELF = "self"


class PresentingNeed(StrEnum):
    """The nine UCR clinical needs, then other common reasons for referral."""

    FALL = "fall"
    FRAILTY_DECOMPENSATION = "frailty-decompensation"
    REDUCED_FUNCTION = "reduced-function"
    URGENT_EQUIPMENT = "urgent-equipment"
    PALLIATIVE_CRISIS = "palliative-crisis"
    URGENT_CATHETER_CARE = "urgent-catheter-care"
    URGENT_DIABETES_SUPPORT = "urgent-diabetes-support"
    CARER_BREAKDOWN = "carer-breakdown"
    CONFUSION_DELIRIUM = "confusion-delirium"
    MEDICATION = "medication"
    DISCHARGE_SUPPORT = "discharge-support"
    REABLEMENT = "reablement"
    WOUND_CARE = "wound-care"
    OTHER = "other"


UCR_NEEDS: frozenset[PresentingNeed] = frozenset(
    {
        PresentingNeed.FALL,
        PresentingNeed.FRAILTY_DECOMPENSATION,
        PresentingNeed.REDUCED_FUNCTION,
        PresentingNeed.URGENT_EQUIPMENT,
        PresentingNeed.PALLIATIVE_CRISIS,
        PresentingNeed.URGENT_CATHETER_CARE,
        PresentingNeed.URGENT_DIABETES_SUPPORT,
        PresentingNeed.CARER_BREAKDOWN,
        PresentingNeed.CONFUSION_DELIRIUM,
    }
)


class AssessmentKind(StrEnum):
    INITIAL = "initial"
    REVIEW = "review"
    FALLS_RISK = "falls-risk"
    CLINICAL_FRAILTY_SCALE = "clinical-frailty-scale"
    NEWS2 = "news2"


class ConsentScope(StrEnum):
    PROFESSIONAL_SHARING = "professional-sharing"
    FAMILY_INVOLVEMENT = "family-involvement"
    CONTACT_BY_MESSAGE = "contact-by-message"
    """The person agrees to be sent messages about their visits (who is coming, running late) by their
    preferred channel. Given contact preferences count as agreement; withdrawing it is the opt-out."""


class VisitPurpose(StrEnum):
    FIRST_RESPONSE = "first-response"
    ASSESSMENT = "assessment"
    CARE = "care"
    THERAPY = "therapy"
    REASSESSMENT = "reassessment"


class MissedVisitReason(StrEnum):
    NO_ACCESS = "no-access"
    PATIENT_DECLINED = "patient-declined"
    PATIENT_NOT_HOME = "patient-not-home"
    PATIENT_ADMITTED = "patient-admitted"
    STAFF_UNAVAILABLE = "staff-unavailable"


class EpisodeOutcome(StrEnum):
    NO_FURTHER_SERVICES = "no-further-services"
    ONGOING_CARE_PACKAGE = "ongoing-care-package"
    ADMITTED_TO_HOSPITAL = "admitted-to-hospital"
    COMMUNITY_BED = "community-bed"
    """Moved to a community bed (intermediate care): home was not safe."""
    LONG_TERM_RESIDENTIAL_CARE = "long-term-residential-care"
    TRANSFERRED_TO_OTHER_SERVICE = "transferred-to-other-service"
    DECLINED_SERVICE = "declined-service"
    DIED = "died"


class NotificationAudience(StrEnum):
    FIELD_STAFF = "field-staff"
    HUB = "hub"
    COORDINATOR = "coordinator"
    GP = "gp"
    PATIENT = "patient"
    FAMILY = "family"
    INTEGRATOR = "integrator"
    REFERRER = "referrer"


class PreferredChannel(StrEnum):
    """How a patient or family member wants to be told (their contact preference); `none` opts out."""

    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    NONE = "none"


class NotificationChannel(StrEnum):
    IN_APP = "in-app"
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"
    WEBHOOK = "webhook"

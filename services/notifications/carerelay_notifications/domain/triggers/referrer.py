"""The referrer, told of the hub's decision (as BaRS expects of a receiving service): the referring
system by webhook when an integrator sent the referral, else the person by SMS to the call-back
number on the referral. Only recorded for now: nothing here sends a referrer's notice yet."""

from __future__ import annotations

from carerelay_contract.referral import ReferralAccepted, ReferralRejected
from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel

from .. import wording
from ..messages import MessageRequest


def referrer_ref(event: ReferralAccepted | ReferralRejected) -> str:
    return f"referral:{event.referral_id}"


def decision_notice(event: ReferralAccepted | ReferralRejected, submitted_by: str | None) -> MessageRequest:
    """The notice of an acceptance or rejection; `submitted_by` is the integrator that sent the
    referral (None: the hub took it by phone)."""
    channel = NotificationChannel.WEBHOOK if submitted_by else NotificationChannel.SMS
    if isinstance(event, ReferralAccepted):
        template, body = "referral-accepted", wording.referral_accepted()
    else:
        template, body = "referral-rejected", wording.referral_rejected(event.reason)
    return MessageRequest(
        event.episode_id,
        NotificationAudience.REFERRER,
        channel,
        referrer_ref(event),
        template,
        body,
        wording.REFERRAL_DECIDED,
    )

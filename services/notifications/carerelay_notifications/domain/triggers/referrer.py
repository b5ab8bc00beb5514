"""The referrer, told of the hub's decision once (as BaRS expects of a receiving service), by their
route: the referring system by signed webhook when an integrator sent the referral; else the person
by email when the referral gives one; else by SMS when the call-back number is a mobile; else the hub
is asked, in its inbox, to call them back (a landline or a switchboard cannot take a message)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from carerelay_contract.referral import ReferralAccepted, ReferralRejected
from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel

from .. import wording
from ..messages import HUB_INBOX, MessageRequest

UK_MOBILE = re.compile(r"^(\+44\s?7|07)[0-9 ]{9,12}$")


@dataclass(frozen=True)
class ReferrerContact:
    """How the referral says the referrer may be reached (kept from `referral.received`)."""

    organisation: str
    callback_number: str
    email: str | None = None

    @property
    def mobile(self) -> bool:
        return bool(UK_MOBILE.match(self.callback_number.replace("-", " ").strip()))


def referrer_ref(event: ReferralAccepted | ReferralRejected) -> str:
    return f"referral:{event.referral_id}"


def decision_notice(
    event: ReferralAccepted | ReferralRejected, submitted_by: str | None, contact: ReferrerContact | None
) -> MessageRequest:
    """The notice of an acceptance or a rejection; `submitted_by` is the integrator that sent the referral
    (None: the hub took it by phone), `contact` what the referral said of the referrer."""
    accepted = isinstance(event, ReferralAccepted)
    reason = None if isinstance(event, ReferralAccepted) else event.reason
    template = "referral-accepted" if accepted else "referral-rejected"
    body = wording.referral_accepted() if reason is None else wording.referral_rejected(reason)
    if submitted_by is None and contact is not None and contact.email is None and not contact.mobile:
        decision = "accepted" if accepted else "not accepted"
        call_back = wording.call_the_referrer_back(contact.callback_number, contact.organisation, decision)
        return MessageRequest(
            event.episode_id, NotificationAudience.HUB, NotificationChannel.IN_APP, HUB_INBOX, template, call_back, urgent=False
        )
    if submitted_by is not None:
        channel = NotificationChannel.WEBHOOK
    elif contact is not None and contact.email is not None:
        channel = NotificationChannel.EMAIL
    else:
        channel = NotificationChannel.SMS
    payload = {
        "type": template,
        "referral_id": str(event.referral_id),
        "episode_id": str(event.episode_id),
        "status": "accepted" if accepted else "rejected",
        "reason": reason,
        "message": body,
    }
    return MessageRequest(
        event.episode_id,
        NotificationAudience.REFERRER,
        channel,
        referrer_ref(event),
        template,
        body,
        wording.REFERRAL_DECIDED,
        payload=payload if channel is NotificationChannel.WEBHOOK else None,
    )

"""carerelay.referral.v1: who may see the episode and the person it is about; the referrer told of
the hub's decision."""

from __future__ import annotations

from carerelay_contract.referral import ReferralAccepted, ReferralReceived, ReferralRejected
from carerelay_events.processing import HandlerContext

from ..domain.reach import Reach
from ..domain.triggers import referrer
from ..store import access, patients
from .registry import handlers, requester


@handlers.on(ReferralReceived)
async def on_referral_received(event: ReferralReceived, context: HandlerContext[Reach]) -> None:
    """Kept: the episode's team and the integrator that sent it (who may see it), and the person
    with their contact preferences (for later messages)."""
    await access.remember_referral(context.conn, event.episode_id, event.referral_id, event.team, event.submitted_by)
    await patients.remember(context.conn, event)


@handlers.on(ReferralAccepted, ReferralRejected)
async def on_referral_decided(event: ReferralAccepted | ReferralRejected, context: HandlerContext[Reach]) -> None:
    """The referrer's notice of the decision, once, by their route (domain.triggers.referrer)."""
    submitted_by = await access.submitted_by(context.conn, event.episode_id)
    contact = await patients.referrer(context.conn, event.episode_id)
    await requester(context).request(referrer.decision_notice(event, submitted_by, contact))

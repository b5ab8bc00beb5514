"""The episode (topic episode.v1): its lead discipline handed on, a discharge recommended (shown on the
referral until it is closed), and its closing (the outcome; the care team's access ends)."""

from __future__ import annotations

from carerelay_contract.episode import DischargeRecommended, EpisodeClosed, LeadDisciplineTransferred
from carerelay_events.processing import HandlerContext

from ..domain import board
from ..settings import ReferralSettings
from ..store.board import save_board
from ..store.care_team import end_care_team
from .registry import handlers, held_here


@handlers.on(LeadDisciplineTransferred)
async def on_lead_transferred(event: LeadDisciplineTransferred, context: HandlerContext[ReferralSettings]) -> None:
    referral = await held_here(event, context)
    if referral is not None:
        await save_board(context.conn, board.lead_transferred(referral, event))


@handlers.on(DischargeRecommended)
async def on_discharge_recommended(event: DischargeRecommended, context: HandlerContext[ReferralSettings]) -> None:
    referral = await held_here(event, context)
    if referral is not None:
        await save_board(context.conn, board.discharge_recommended(referral, event))


@handlers.on(EpisodeClosed)
async def on_episode_closed(event: EpisodeClosed, context: HandlerContext[ReferralSettings]) -> None:
    referral = await held_here(event, context)
    if referral is not None:
        await save_board(context.conn, board.closed(referral, event))
        await end_care_team(context.conn, event.episode_id, event.closed_at)

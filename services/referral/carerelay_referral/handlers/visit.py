"""Visits (topic visit.v1): the first one planned and assigned, and first contact made. Whoever is
assigned joins the episode's care team, which gives them `assigned` access to the referral."""

from __future__ import annotations

from carerelay_contract.visit import VisitAssigned, VisitStarted
from carerelay_events.processing import HandlerContext

from ..domain import board
from ..settings import ReferralSettings
from ..store.board import save_board
from ..store.care_team import add_to_care_team
from .registry import handlers, held_here


@handlers.on(VisitAssigned)
async def on_visit_assigned(event: VisitAssigned, context: HandlerContext[ReferralSettings]) -> None:
    referral = await held_here(event, context)
    if referral is not None:
        await save_board(context.conn, board.first_visit_planned(referral, event.planned_start))
        await add_to_care_team(context.conn, event.episode_id, event.staff_id, event.planned_start)


@handlers.on(VisitStarted)
async def on_visit_started(event: VisitStarted, context: HandlerContext[ReferralSettings]) -> None:
    referral = await held_here(event, context)
    if referral is not None:
        await save_board(context.conn, board.first_contact_made(referral, event.at))

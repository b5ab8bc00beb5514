"""Triage's decisions (topic triage.v1) set the referral's tier, lead discipline and first-contact deadline."""

from __future__ import annotations

from carerelay_contract.triage import TriageCompleted, TriageOverridden
from carerelay_events.processing import HandlerContext

from ..domain import board
from ..settings import ReferralSettings
from ..store.board import save_board
from .registry import handlers, held_here


@handlers.on(TriageCompleted, TriageOverridden)
async def on_triage(event: TriageCompleted | TriageOverridden, context: HandlerContext[ReferralSettings]) -> None:
    referral = await held_here(event, context)
    if referral is not None:
        await save_board(context.conn, board.triaged(referral, event))

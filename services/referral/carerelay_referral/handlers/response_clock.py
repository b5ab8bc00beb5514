"""The response clock (topic response-clock.v1): at risk, breached or met, as the board shows it."""

from __future__ import annotations

from carerelay_contract.triage import ResponseClockAtRisk, ResponseClockBreached, ResponseClockMet
from carerelay_events.processing import HandlerContext

from ..domain import board
from ..settings import ReferralSettings
from ..store.board import save_board
from .registry import handlers, held_here


@handlers.on(ResponseClockAtRisk, ResponseClockBreached, ResponseClockMet)
async def on_clock(
    event: ResponseClockAtRisk | ResponseClockBreached | ResponseClockMet, context: HandlerContext[ReferralSettings]
) -> None:
    referral = await held_here(event, context)
    if referral is not None:
        await save_board(context.conn, board.clock_reported(referral, event))

"""Scheduling's handlers. A referral gets its first visit once it is both triaged (which tells how
fast and who leads) and accepted by the hub, in whichever order those arrive; a rejected or
cancelled referral's visits are cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from carerelay_contract.episode import CarePlanAgreed, CarePlanUpdated, LeadDisciplineTransferred
from carerelay_contract.referral import ReferralAccepted, ReferralCancelled, ReferralReceived, ReferralRejected, ReferralUpdated
from carerelay_contract.triage import TriageCompleted, TriageOverridden
from carerelay_contract.visit import VisitCancelled, VisitPlanned
from carerelay_contract.vocabulary import LeadDiscipline, VisitPurpose
from carerelay_events.handlers import Handlers
from carerelay_events.processing import HandlerContext

from ..domain.care_plans import on_care_plan
from ..domain.first_response import DISCIPLINES_FOR_LEAD, FIRST_VISIT_MINUTES
from ..planning.replanning import replan, rolling_window
from ..settings import SchedulingSettings
from ..store.episodes import on_referral_received, on_referral_updated


async def on_triage(event: TriageCompleted | TriageOverridden, context: HandlerContext[SchedulingSettings]) -> None:
    await context.conn.execute(
        """
        INSERT INTO referral_state (episode_id, referral_id, tier, lead_discipline, first_contact_deadline)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (episode_id) DO UPDATE SET tier = $3, lead_discipline = $4, first_contact_deadline = $5
        """,
        event.episode_id,
        event.referral_id,
        event.tier.value,
        event.lead_discipline.value,
        event.first_contact_deadline,
    )
    await _plan_when_ready(event.episode_id, context)


async def on_accepted(event: ReferralAccepted, context: HandlerContext[SchedulingSettings]) -> None:
    await context.conn.execute(
        """
        INSERT INTO referral_state (episode_id, referral_id, accepted) VALUES ($1, $2, true)
        ON CONFLICT (episode_id) DO UPDATE SET accepted = true
        """,
        event.episode_id,
        event.referral_id,
    )
    await _plan_when_ready(event.episode_id, context)


async def on_closed(event: ReferralRejected | ReferralCancelled, context: HandlerContext[SchedulingSettings]) -> None:
    conn = context.conn
    await conn.execute(
        """
        INSERT INTO referral_state (episode_id, referral_id, closed) VALUES ($1, $2, true)
        ON CONFLICT (episode_id) DO UPDATE SET closed = true
        """,
        event.episode_id,
        event.referral_id,
    )
    reason = "referral rejected" if isinstance(event, ReferralRejected) else "referral cancelled"
    cancelled = await conn.fetch(
        """
        UPDATE visits SET status = 'cancelled' WHERE episode_id = $1 AND status IN ('planned', 'assigned')
        RETURNING visit_id
        """,
        event.episode_id,
    )
    for row in cancelled:
        await context.emit(
            VisitCancelled(episode_id=event.episode_id, visit_id=row["visit_id"], cancelled_at=datetime.now(UTC), reason=reason)
        )


async def _plan_when_ready(episode_id: UUID, context: HandlerContext[SchedulingSettings]) -> None:
    state = await context.conn.fetchrow(
        "SELECT * FROM referral_state WHERE episode_id = $1 AND accepted AND NOT closed AND tier IS NOT NULL", episode_id
    )
    if state is None:
        return
    await plan_first_visit(
        context,
        episode_id,
        state["referral_id"],
        LeadDiscipline(state["lead_discipline"]),
        state["first_contact_deadline"],
    )


async def on_lead_transferred(event: LeadDisciplineTransferred, context: HandlerContext[SchedulingSettings]) -> None:
    """The new lead discipline assesses the person within a day: no new referral, just a new visit."""
    state = await context.conn.fetchrow("SELECT referral_id FROM referral_state WHERE episode_id = $1", event.episode_id)
    await context.conn.execute(
        "UPDATE referral_state SET lead_discipline = $2 WHERE episode_id = $1", event.episode_id, event.to_discipline.value
    )
    await plan_first_visit(
        context,
        event.episode_id,
        state["referral_id"] if state else None,
        event.to_discipline,
        event.transferred_at + timedelta(days=1),
        purpose=VisitPurpose.ASSESSMENT,
    )


async def plan_first_visit(
    context: HandlerContext[SchedulingSettings],
    episode_id: UUID,
    referral_id: UUID | None,
    lead: LeadDiscipline,
    deadline: datetime,
    purpose: VisitPurpose = VisitPurpose.FIRST_RESPONSE,
) -> None:
    """Plan a visit by the lead discipline, starting by `deadline` (a hard limit): the first response
    (once per referral), or an assessment when the lead changes. Then re-plan the next hours so that
    someone is sent, in this transaction: the assignment and its events commit with the visit."""
    conn = context.conn
    now = datetime.now(UTC)
    visit_id = uuid4()
    discipline = DISCIPLINES_FOR_LEAD[lead][0]
    latest_start = max(now, deadline)
    inserted = await conn.fetchval(
        """
        INSERT INTO visits (visit_id, episode_id, referral_id, purpose, discipline, earliest_start, latest_start,
                            duration_minutes, deadline, status, urgent)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'planned', $10)
        ON CONFLICT (referral_id) WHERE purpose = 'first-response' DO NOTHING RETURNING true
        """,
        visit_id,
        episode_id,
        referral_id,
        purpose.value,
        discipline,
        now,
        latest_start,
        FIRST_VISIT_MINUTES,
        deadline,
        purpose == VisitPurpose.FIRST_RESPONSE,
    )
    if not inserted:
        return
    await context.emit(
        VisitPlanned(
            episode_id=episode_id,
            visit_id=visit_id,
            purpose=purpose,
            discipline=discipline,
            earliest_start=now,
            latest_start=latest_start,
            duration_minutes=FIRST_VISIT_MINUTES,
            deadline=deadline,
        )
    )
    settings = context.resources
    window = rolling_window(now, max(settings.replan_hours, (latest_start - now).total_seconds() / 3600 + 1))
    await replan(conn, context.outbox, window, f"{purpose.value} visit planned", settings.replan_seconds, now)


handlers: Handlers[SchedulingSettings] = Handlers()
handlers.on(ReferralReceived)(on_referral_received)
handlers.on(ReferralUpdated)(on_referral_updated)
handlers.on(CarePlanAgreed, CarePlanUpdated)(on_care_plan)
handlers.on(TriageCompleted, TriageOverridden)(on_triage)
handlers.on(ReferralAccepted)(on_accepted)
handlers.on(ReferralRejected, ReferralCancelled)(on_closed)
handlers.on(LeadDisciplineTransferred)(on_lead_transferred)

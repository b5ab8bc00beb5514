"""The response clock's rules. A clock starts when a referral is received, gets its deadline from
triage, and stops at first contact (the first visit started). It fires, once each:

- at risk: once the configured fraction of the allowed time has passed with no visit assigned, or
  as soon as the assigned visit is due after the deadline (and, if it has not yet, at the deadline);
- breached: at the deadline without first contact;
- met: at first contact before the deadline.

Pure: the store keeps the clock (so it survives a restart) and marks what fired in the transaction
that publishes it, so nothing fires twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from carerelay_contract.triage import ResponseClockAtRisk, ResponseClockBreached, ResponseClockMet
from carerelay_contract.vocabulary import ResponseTier

ClockAlarm = ResponseClockAtRisk | ResponseClockBreached


@dataclass(frozen=True)
class ResponseClock:
    episode_id: UUID
    referral_id: UUID
    received_at: datetime
    tier: ResponseTier | None = None
    deadline: datetime | None = None
    """The first-contact deadline; None until triage has decided."""
    at_risk_at: datetime | None = None
    assigned_start: datetime | None = None
    """When the earliest visit planned for the person is due (None: no visit assigned)."""
    first_contact_at: datetime | None = None
    stopped: bool = False
    """The referral was rejected or cancelled: no one is coming."""
    at_risk_fired: bool = False
    breached_fired: bool = False
    met_fired: bool = False

    def with_deadline(self, tier: ResponseTier, deadline: datetime, at_risk_fraction: float) -> ResponseClock:
        """The clock given (or given again, after an override) its tier and deadline."""
        return replace(self, tier=tier, deadline=deadline, at_risk_at=at_risk_point(self.received_at, deadline, at_risk_fraction))

    @property
    def running(self) -> bool:
        return not self.stopped and self.first_contact_at is None and self.deadline is not None

    @property
    def visit_due_late(self) -> bool:
        """The assigned visit is due after the deadline: the clock is at risk whatever the time."""
        return self.assigned_start is not None and self.deadline is not None and self.assigned_start > self.deadline


def at_risk_point(received_at: datetime, deadline: datetime, fraction: float) -> datetime:
    """When `fraction` of the time from referral to deadline has passed."""
    return received_at + (deadline - received_at) * fraction


def alarms(clock: ResponseClock, now: datetime) -> tuple[ClockAlarm, ...]:
    """What the clock fires at `now`, none of it fired before: at risk (with why), breached, both or none."""
    if not clock.running or clock.deadline is None or clock.tier is None:
        return ()
    deadline = clock.deadline
    breach_due = not clock.breached_fired and deadline <= now
    unassigned_too_long = clock.at_risk_at is not None and clock.at_risk_at <= now and clock.assigned_start is None
    at_risk_due = not clock.at_risk_fired and (unassigned_too_long or clock.visit_due_late)
    if not (breach_due or at_risk_due):
        return ()
    fired: list[ClockAlarm] = []
    if not clock.at_risk_fired:  # a breach is always preceded by its at-risk
        why = "the assigned visit is due after the deadline" if clock.visit_due_late else "no visit assigned"
        fired.append(
            ResponseClockAtRisk(
                episode_id=clock.episode_id, referral_id=clock.referral_id, tier=clock.tier, deadline=deadline, at=now, why=why
            )
        )
    if breach_due:
        fired.append(
            ResponseClockBreached(
                episode_id=clock.episode_id, referral_id=clock.referral_id, tier=clock.tier, deadline=deadline, at=now
            )
        )
    return tuple(fired)


def met(clock: ResponseClock, first_contact_at: datetime) -> ResponseClockMet | None:
    """`met` when the first contact at `first_contact_at` is within the deadline of a running clock
    that has not fired it yet; None otherwise (late, stopped, or not yet triaged)."""
    if clock.stopped or clock.deadline is None or clock.tier is None or clock.met_fired:
        return None
    if first_contact_at > clock.deadline:
        return None
    return ResponseClockMet(
        episode_id=clock.episode_id,
        referral_id=clock.referral_id,
        tier=clock.tier,
        deadline=clock.deadline,
        first_contact_at=first_contact_at,
        minutes_to_first_contact=max(0, int((first_contact_at - clock.received_at) / timedelta(minutes=1))),
    )

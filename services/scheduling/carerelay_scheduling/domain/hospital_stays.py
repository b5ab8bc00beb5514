"""A hospital stay in the middle of an episode: while the person is in hospital nobody visits (the visits
not yet under way are cancelled, the care plan makes none); once home, the lead discipline reassesses
them within a day, and the care plan's visits resume from then."""

from __future__ import annotations

from datetime import datetime, timedelta

REASSESS_WITHIN = timedelta(days=1)
"""After a discharge, the lead discipline reassesses the person within this."""

ADMITTED = "admitted to hospital"
"""Why the visits of someone admitted are cancelled."""


def reassess_by(discharged_at: datetime) -> datetime:
    """The reassessment's deadline; the care plan's visits resume after it."""
    return discharged_at + REASSESS_WITHIN


def visits_from(now: datetime, resume_after: datetime | None) -> datetime:
    """From when a care plan's visits are made: now, or after a discharge's reassessment if that is later."""
    return max(now, resume_after) if resume_after is not None else now

"""`consents`: the latest word on each consent scope of an episode (recorded = granted, withdrawn = not)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from carerelay_contract.vocabulary import ConsentScope
from carerelay_events.db import DbConnection

from ..domain.consent import Consents, ConsentState


async def load(conn: DbConnection, episode_id: UUID) -> Consents:
    rows = await conn.fetch("SELECT scope, granted, family_contact_id FROM consents WHERE episode_id = $1", episode_id)
    states: dict[ConsentScope, ConsentState] = {}
    for row in rows:
        if row["scope"] in ConsentScope._value2member_map_:
            states[ConsentScope(row["scope"])] = ConsentState(row["granted"], row["family_contact_id"])
    return states


async def record(
    conn: DbConnection, episode_id: UUID, scope: ConsentScope, granted: bool, family_contact_id: UUID | None, at: datetime
) -> None:
    await conn.execute(
        """
        INSERT INTO consents (episode_id, scope, granted, family_contact_id, changed_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (episode_id, scope) DO UPDATE SET granted = $3, family_contact_id = $4, changed_at = $5
        """,
        episode_id,
        scope.value,
        granted,
        family_contact_id,
        at,
    )

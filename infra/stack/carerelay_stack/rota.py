"""The demo county's rota: three bases and a mixed team across health and social care employers.

Synthetic people only. `load(conn)` is idempotent (fixed ids), so a second run changes nothing.

A demo loader, not part of the scheduling service: it writes scheduling's `bases` and `staff` tables
directly with SQL, as a county's HR feed would, because scheduling has no API for the rota yet. It
runs only against a local or test database (`make run`, the cross-service tests), so it knows those
two tables' columns; if scheduling's migrations change them, change this file with them.
"""

from __future__ import annotations

from uuid import UUID, uuid5

import asyncpg

from carerelay_events.db import DbConnection

NAMESPACE = UUID("6f1c1b8e-52a4-4d44-9a0c-7b7c6b1f0a11")

BASES = [
    ("Northgate Community Base", 52.6369, -1.1398, "north"),
    ("Riverside Health Centre", 52.6050, -1.1900, "riverside"),
    ("Eastfield Reablement Hub", 52.6290, -1.0850, "east"),
]

STAFF = [
    # name, discipline, employer, base, skills, working pattern (rota.PATTERNS)
    ("Nurse Amara Okafor", "nurse", "community-health-trust", 0, ["catheter-care", "insulin"], "rapid-day"),
    ("Nurse Tom Bryce", "nurse", "community-health-trust", 1, ["insulin"], "rapid-day"),
    ("Nurse Priya Shah", "nurse", "community-health-trust", 2, ["catheter-care", "palliative"], "rapid-day"),
    ("Nurse Hamid Rahman", "nurse", "community-health-trust", 0, ["catheter-care", "insulin"], "rapid-night"),
    ("Nurse Fiona Walsh", "nurse", "community-health-trust", 1, ["catheter-care", "palliative"], "rapid-night"),
    ("Nurse Olu Adebayo", "nurse", "community-health-trust", 2, ["insulin"], "rapid-night"),
    ("Nurse Kate Dunn", "nurse", "community-health-trust", 1, ["insulin", "catheter-care"], "day"),
    ("OT Leah Morgan", "occupational-therapist", "community-health-trust", 0, ["equipment"], "rapid-day"),
    ("OT Ravi Kapoor", "occupational-therapist", "community-health-trust", 2, ["equipment"], "rapid-night"),
    ("Physio Sam Adeyemi", "physiotherapist", "community-health-trust", 1, ["falls"], "rapid-day"),
    ("Physio Ellen Price", "physiotherapist", "community-health-trust", 0, ["falls"], "rapid-night"),
    ("Social Worker Grace Lin", "social-worker", "county-council", 2, [], "rapid-day"),
    ("Social Worker Ben Ortiz", "social-worker", "county-council", 0, [], "rapid-night"),
    ("HCA Lucy Grant", "healthcare-assistant", "community-health-trust", 1, ["medication-prompt"], "day"),
    ("Carer Joe Evans", "carer", "county-council", 0, ["double-handed-moving"], "early"),
    ("Carer Maria Silva", "carer", "county-council", 1, ["double-handed-moving", "medication-prompt"], "early"),
    ("Carer Ann Doyle", "carer", "county-council", 2, ["double-handed-moving", "medication-prompt"], "early"),
    ("Carer Yusuf Ali", "carer", "county-council", 0, ["double-handed-moving", "medication-prompt"], "early"),
    ("Carer Chloe Baker", "carer", "county-council", 0, ["double-handed-moving", "medication-prompt"], "late"),
    ("Carer Dev Mistry", "carer", "county-council", 1, ["double-handed-moving"], "late"),
    ("Carer Nora Quinn", "carer", "county-council", 2, ["double-handed-moving", "medication-prompt"], "late"),
    ("Carer Paul Reid", "carer", "county-council", 0, ["double-handed-moving", "medication-prompt"], "late"),
    ("Carer Iris Kemp", "carer", "county-council", 1, ["double-handed-moving"], "night"),
    ("Reablement Worker Kofi Mensah", "reablement-worker", "county-council", 0, ["medication-prompt"], "early"),
    ("Reablement Worker Zara Hussain", "reablement-worker", "county-council", 2, ["medication-prompt"], "late"),
]
"""Rapid response nurses, therapists and social workers cover 24/7 in two shifts (the night ones are
on call for the few urgent therapy and social care needs that come at night); carers and reablement
workers work early and late shifts, with a night carer."""


def staff_id(display_name: str) -> UUID:
    return uuid5(NAMESPACE, f"staff:{display_name}")


async def load(conn: DbConnection) -> int:
    """Insert the demo bases and staff that are not there yet; return how many staff were added."""
    base_ids = []
    for name, latitude, longitude, team in BASES:
        base_id = uuid5(NAMESPACE, f"base:{name}")
        base_ids.append(base_id)
        await conn.execute(
            "INSERT INTO bases (base_id, name, latitude, longitude, team) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            base_id,
            name,
            latitude,
            longitude,
            team,
        )
    added = 0
    for display_name, discipline, employer, base, skills, pattern in STAFF:
        result = await conn.execute(
            """
            INSERT INTO staff (staff_id, display_name, discipline, employer, base_id, skills, team, working_pattern)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
            """,
            staff_id(display_name),
            display_name,
            discipline,
            employer,
            base_ids[base],
            skills,
            BASES[base][3],
            pattern,
        )
        added += int(result.split()[-1])
    return added


async def load_rota(scheduling_database_url: str) -> int:
    """Load the rota into the scheduling database at `scheduling_database_url`, in one transaction."""
    conn = await asyncpg.connect(scheduling_database_url)
    try:
        async with conn.transaction():
            return await load(conn)
    finally:
        await conn.close()

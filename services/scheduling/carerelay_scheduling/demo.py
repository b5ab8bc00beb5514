"""The demo county's rota: three bases and a mixed team across health and social care employers.

Synthetic people only. `load(conn)` is idempotent (fixed ids), so a second run changes nothing.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from carerelay_events.db import DbConnection

NAMESPACE = UUID("6f1c1b8e-52a4-4d44-9a0c-7b7c6b1f0a11")

BASES = [
    ("Northgate Community Base", 52.6369, -1.1398, "north"),
    ("Riverside Health Centre", 52.6050, -1.1900, "riverside"),
    ("Eastfield Reablement Hub", 52.6290, -1.0850, "east"),
]

STAFF = [
    ("Nurse Amara Okafor", "nurse", "community-health-trust", 0, ["catheter-care", "insulin"]),
    ("Nurse Tom Bryce", "nurse", "community-health-trust", 1, ["insulin"]),
    ("Nurse Priya Shah", "nurse", "community-health-trust", 2, ["catheter-care", "palliative"]),
    ("OT Leah Morgan", "occupational-therapist", "community-health-trust", 0, ["equipment"]),
    ("Physio Sam Adeyemi", "physiotherapist", "community-health-trust", 1, ["falls"]),
    ("Social Worker Grace Lin", "social-worker", "county-council", 2, []),
    ("Carer Joe Evans", "carer", "county-council", 0, ["double-handed-moving"]),
    ("Carer Maria Silva", "carer", "county-council", 1, ["double-handed-moving", "medication-prompt"]),
    ("Carer Ann Doyle", "carer", "county-council", 2, ["medication-prompt"]),
    ("Reablement Worker Kofi Mensah", "reablement-worker", "county-council", 0, []),
]


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
    for display_name, discipline, employer, base, skills in STAFF:
        result = await conn.execute(
            """
            INSERT INTO staff (staff_id, display_name, discipline, employer, base_id, skills, team)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING
            """,
            staff_id(display_name),
            display_name,
            discipline,
            employer,
            base_ids[base],
            skills,
            BASES[base][3],
        )
        added += int(result.split()[-1])
    return added

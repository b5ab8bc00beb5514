"""The county's localities and the team that covers each, by postcode district.

Seven localities served from three bases (domain.md: at least 3 bases, 7 localities). A postcode
outside them has no team: the hub holds the referral until a clinician places it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locality:
    name: str
    team: str


LOCALITIES: dict[str, Locality] = {
    "LE1": Locality("Northgate Central", "north"),
    "LE2": Locality("Northgate South", "north"),
    "LE3": Locality("Riverside West", "riverside"),
    "LE4": Locality("Riverside North", "riverside"),
    "LE5": Locality("Eastfield", "east"),
    "LE6": Locality("Eastfield Villages", "east"),
    "LE7": Locality("Eastfield Rural", "east"),
}


def locality_of(postcode: str) -> Locality | None:
    district = postcode.upper().replace(" ", "")[:-3]
    return LOCALITIES.get(district)

"""The GP practice directory: which practice codes the hub accepts.

Synthetic demo practices ship with the service; a trust points `CARERELAY_REFERRAL_PRACTICES_FILE`
at an extract of the ODS directory (same columns: code, name, postcode)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEMO_DIRECTORY = Path(__file__).resolve().parent / "data" / "gp_practices.csv"


@dataclass(frozen=True)
class Practice:
    code: str
    name: str
    postcode: str


@lru_cache(maxsize=4)
def load(path: Path = DEMO_DIRECTORY) -> dict[str, Practice]:
    with path.open(newline="") as handle:
        return {row["code"]: Practice(row["code"], row["name"], row["postcode"]) for row in csv.DictReader(handle)}


def search(directory: dict[str, Practice], text: str, limit: int = 20) -> list[Practice]:
    needle = text.strip().lower()
    found = [p for p in directory.values() if needle in p.code.lower() or needle in p.name.lower()]
    return sorted(found, key=lambda p: (not p.code.lower().startswith(needle), p.name))[:limit]

"""Reading the GP practice directory file (columns `code,name,postcode`).

Synthetic demo practices ship with the service; a trust points `CARERELAY_REFERRAL_PRACTICES_FILE`
at an extract of the ODS directory, with the same columns."""

from __future__ import annotations

import csv
from pathlib import Path

from ..domain.directory import Practice, PracticeDirectory

DEMO_DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "gp_practices.csv"


def load_directory(path: Path = DEMO_DIRECTORY) -> PracticeDirectory:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return PracticeDirectory({row["code"]: Practice(row["code"], row["name"], row["postcode"]) for row in rows})

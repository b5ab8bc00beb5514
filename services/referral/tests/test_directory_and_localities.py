"""The practice directory (the demo file the service ships, and finding a practice as a call
handler types) and the county's localities by postcode district."""

from __future__ import annotations

from pathlib import Path

import pytest

from carerelay_referral.domain.directory import Practice, PracticeDirectory
from carerelay_referral.domain.localities import locality_of
from carerelay_referral.store.directory import DEMO_DIRECTORY, load_directory

DIRECTORY = PracticeDirectory(
    {
        "C82001": Practice("C82001", "Mill Lane Surgery", "LE1 1AA"),
        "C82002": Practice("C82002", "Riverside Practice", "LE3 5BB"),
        "Y01234": Practice("Y01234", "Canal Side C82 Health", "LE4 1ZZ"),
    }
)


def test_the_demo_directory_ships_with_mrs_as_practice() -> None:
    directory = load_directory(DEMO_DIRECTORY)
    assert "C82001" in directory
    assert directory.practices["C82001"] == Practice("C82001", "Mill Lane Surgery", "LE1 1AA")


def test_another_directory_file_may_be_named(tmp_path: Path) -> None:
    extract = tmp_path / "ods.csv"
    extract.write_text("code,name,postcode\nZ99999,Far Away Practice,ZZ1 1ZZ\n")
    directory = load_directory(extract)
    assert "Z99999" in directory
    assert "C82001" not in directory


def test_search_finds_by_code_or_name_in_any_case_codes_first() -> None:
    assert [p.code for p in DIRECTORY.search("river")] == ["C82002"]
    assert [p.code for p in DIRECTORY.search("  c82 ")] == ["C82001", "C82002", "Y01234"]
    assert [p.code for p in DIRECTORY.search("c82", limit=1)] == ["C82001"]
    assert DIRECTORY.search("nowhere") == []


@pytest.mark.parametrize(
    ("postcode", "locality", "team"),
    [
        ("LE1 1AA", "Northgate Central", "north"),
        ("le3 5bb", "Riverside West", "riverside"),
        ("LE75XY", "Eastfield Rural", "east"),
    ],
)
def test_a_postcode_in_the_county_names_its_locality_and_team(postcode: str, locality: str, team: str) -> None:
    place = locality_of(postcode)
    assert place is not None
    assert (place.name, place.team) == (locality, team)


@pytest.mark.parametrize("postcode", ["M1 1AE", "LE10 1AA", "LE8 2BB"])
def test_a_postcode_outside_the_county_has_no_team(postcode: str) -> None:
    assert locality_of(postcode) is None

"""The signing key's life (generated once, private, reused; kid = RFC 7638 thumbprint) and the demo
directory's agreement with the demo rota (carerelay_stack.rota)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from carerelay_issuer.directory import Directory, load
from carerelay_issuer.keys import PRIVATE_KEY_FILE, jwk_thumbprint, load_or_create
from carerelay_issuer.settings import PACKAGE, IssuerSettings
from carerelay_stack import rota

DEMO = PACKAGE / "demo_users.json"


def test_thumbprint_matches_rfc_7638_example() -> None:
    # RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhM"
        "stn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5ha"
        "jrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    assert jwk_thumbprint({"kty": "RSA", "n": n, "e": "AQAB", "alg": "RS256"}) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_the_key_is_generated_once_privately_and_reused(tmp_path: Path) -> None:
    key_dir = tmp_path / "issuer"

    first = load_or_create(key_dir)
    second = load_or_create(key_dir)

    assert first.kid == second.kid
    assert stat.S_IMODE((key_dir / PRIVATE_KEY_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    assert [path.name for path in key_dir.iterdir()] == [PRIVATE_KEY_FILE]  # no temporary file left behind
    assert first.private_key.key_size == 2048
    assert first.public_jwk["kid"] == jwk_thumbprint(first.public_jwk)
    assert load_or_create(tmp_path / "another").kid != first.kid


def test_settings_defaults() -> None:
    settings = IssuerSettings()

    assert (settings.host, settings.port, settings.public_url) == ("127.0.0.1", 8100, "http://127.0.0.1:8100")
    assert settings.audience == "carerelay-api"
    assert (settings.user_token_minutes, settings.client_token_minutes) == (480, 60)
    assert settings.key_dir == Path(__file__).resolve().parents[3] / ".data" / "issuer"
    assert settings.users_file == DEMO


def test_field_staff_carry_their_demo_rota_staff_ids() -> None:
    directory = load(DEMO)
    with_staff_ids = {user.name: user.staff_id for user in directory.users if user.staff_id is not None}

    assert with_staff_ids == {
        name: rota.staff_id(name) for name in ["Nurse Amara Okafor", "Nurse Tom Bryce", "OT Leah Morgan", "Carer Joe Evans"]
    }
    rota_names = {row[0] for row in rota.STAFF}
    assert set(with_staff_ids) <= rota_names


def test_teams_are_the_demo_bases() -> None:
    directory = load(DEMO)

    assert {team.id: team.base for team in directory.teams} == {
        "north": "Northgate Community Base",
        "riverside": "Riverside Health Centre",
        "east": "Eastfield Reablement Hub",
    }
    assert {team.base for team in directory.teams} == {base[0] for base in rota.BASES}


def test_one_demo_user_for_each_kind_of_person() -> None:
    users = {user.username: user for user in load(DEMO).users}

    roles = sorted(role for user in users.values() for role in user.roles)
    assert roles == sorted(
        ["hub-call-handler", "hub-clinician", "carer", "coordinator", "gp", "auditor", *["field-clinician"] * 3]
    )
    for user in users.values():
        if user.roles[0].startswith("hub-"):
            assert (user.org, user.team) == ("county-spa", None)
        if user.roles == ["field-clinician"]:
            assert user.org == "community-health-trust"
    assert (users["joe.evans"].org, users["joe.evans"].team) == ("county-council", "north")
    assert (users["daniel.hughes"].roles, users["daniel.hughes"].team) == (["coordinator"], "north")
    gp = users["hana.patel"]
    assert (gp.name, gp.org, gp.gp_practice, gp.team) == ("Dr Hana Patel", "C82001", "C82001", None)
    assert users["ian.whitlock"].org == "county-ig"
    assert (users["tom.bryce"].team, users["leah.morgan"].team, users["amara.okafor"].team) == ("riverside", "north", "north")


@pytest.mark.parametrize(
    ("uri", "allowed"),
    [
        ("http://127.0.0.1:8080/signed-in", True),
        ("http://localhost:5173/", True),
        ("http://localhost:5173/callback?from=app", True),
        ("http://127.0.0.1:8080", True),
        ("https://127.0.0.1:8080/", False),
        ("http://127.0.0.1/", False),
        ("http://127.0.0.1:/", False),
        ("http://localhost:@evil.example/", False),
        ("http://localhost:80@evil.example/", False),
        ("http://localhost:8080.evil.example/", False),
        ("http://127.0.0.1:8080\\@evil.example/", False),
        ("http://127.0.0.1:8080/a#b", False),
        ("http://127.0.0.1:8080/ x", False),
        ("http://localhost.evil.example:80/", False),
    ],
)
def test_redirect_uri_allow_list(uri: str, allowed: bool) -> None:
    web = load(DEMO).public_client("carerelay-web")

    assert web is not None
    assert web.allows_redirect(uri) is allowed


def test_an_inconsistent_directory_is_refused() -> None:
    document = json.loads(DEMO.read_text())
    document["users"][0]["roles"] = ["superuser"]

    with pytest.raises(ValidationError, match="unknown roles"):
        Directory.model_validate(document)

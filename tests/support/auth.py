"""Signing in from tests exactly as a browser or an integrator does: the dev issuer's authorization
code flow (with PKCE and a login hint) or client credentials. Forged tokens for the negative tests
are signed here, with the issuer's own key where the test needs a valid signature."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from carerelay_stack.sign_in import client_token, user_token

__all__ = ["client_token", "user_token"]


def issuer_private_key(key_dir: Path) -> Any:
    pem = next(key_dir.glob("*.pem")).read_bytes()
    return serialization.load_pem_private_key(pem, password=None)


def forge(claims: dict[str, Any], key: Any, kid: str) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def stranger_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def claims_like(real_token: str, **changes: Any) -> dict[str, Any]:
    """A real token's claims with some changed (e.g. exp in the past, another audience)."""
    claims: dict[str, Any] = jwt.decode(real_token, options={"verify_signature": False})
    claims.update(changes)
    return claims


def kid_of(token: str) -> str:
    kid: str = jwt.get_unverified_header(token)["kid"]
    return kid


def an_hour_ago() -> int:
    return int(time.time()) - 3600

"""Bearer-token identity: RS256 JWTs checked against the issuer's JWKS, issuer and audience from
settings. The token's claims become a Principal; nothing else about the caller is trusted."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import jwt
from jwt import PyJWKClient

from .roles import Role
from .settings import AuthSettings


class Unauthenticated(Exception):
    """No token, or one that is expired, wrongly signed, for another audience or issuer: 401."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Principal:
    """Who is calling, from the token's claims."""

    subject: str
    roles: frozenset[Role]
    organisation: str | None = None
    team: str | None = None
    staff_id: UUID | None = None
    gp_practice: str | None = None
    client_id: str | None = None
    scopes: frozenset[str] = frozenset()
    name: str | None = None
    """For display (e.g. "accepted by"); never logged."""

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def role_names(self) -> str:
        return ",".join(sorted(role.value for role in self.roles))


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    raw_roles = claims.get("roles") or []
    if not isinstance(raw_roles, list):
        raise Unauthenticated("the roles claim must be a list")
    roles = frozenset(Role(value) for value in raw_roles if value in Role._value2member_map_)
    staff = claims.get("staff_id")
    try:
        staff_id = UUID(str(staff)) if staff else None
    except ValueError as error:
        raise Unauthenticated("the staff_id claim is not a UUID") from error
    scope = claims.get("scope") or ""
    return Principal(
        subject=str(claims["sub"]),
        roles=roles,
        organisation=claims.get("org"),
        team=claims.get("team"),
        staff_id=staff_id,
        gp_practice=claims.get("gp_practice"),
        client_id=claims.get("client_id"),
        scopes=frozenset(str(scope).split()),
        name=str(claims["name"]) if claims.get("name") else None,
    )


KNOWN_KEY_SECONDS = 3600.0


class TokenVerifier:
    """Verifies bearer tokens. Signing keys are fetched from the JWKS once and cached; an unknown
    `kid` triggers one refresh (key rotation)."""

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._keys = PyJWKClient(settings.keys_url, cache_keys=True, lifespan=3600, timeout=5)
        self._known: dict[str, tuple[jwt.PyJWK, float]] = {}
        """Keys already fetched, by `kid`, with when: a known key needs no trip to a thread (the fetch
        blocks); kept as long as the client's own cache (an hour), then fetched again."""

    async def verify(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            known = self._known.get(kid) if isinstance(kid, str) else None
            if known is not None and time.monotonic() - known[1] < KNOWN_KEY_SECONDS:
                signing_key = known[0]
            else:
                signing_key = await asyncio.to_thread(self._keys.get_signing_key_from_jwt, token)
                if isinstance(kid, str) and len(self._known) < 16:
                    self._known[kid] = (signing_key, time.monotonic())
        except jwt.exceptions.PyJWKClientConnectionError as error:
            raise Unauthenticated("the issuer's signing keys cannot be fetched") from error
        except (jwt.exceptions.PyJWKClientError, jwt.exceptions.DecodeError) as error:
            raise Unauthenticated("the token is malformed or signed with an unknown key") from error
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthenticated("the token has expired") from error
        except jwt.InvalidAudienceError as error:
            raise Unauthenticated("the token is for another audience") from error
        except jwt.InvalidIssuerError as error:
            raise Unauthenticated("the token is from another issuer") from error
        except jwt.InvalidSignatureError as error:
            raise Unauthenticated("the token's signature is not valid") from error
        except jwt.InvalidTokenError as error:
            raise Unauthenticated(f"the token is not valid ({type(error).__name__})") from error
        return principal_from_claims(claims)

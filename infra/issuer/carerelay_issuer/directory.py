"""Who can sign in and which systems can ask for tokens: the demo directory (`demo_users.json`).

Synthetic people only. Field staff and carers carry the `staff_id` of their row in the scheduling
service's demo rota, so a token's `staff_id` claim finds their own visits.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

ROLES = frozenset({"hub-call-handler", "hub-clinician", "field-clinician", "carer", "coordinator", "gp", "integrator", "auditor"})
"""The roles the services understand (libs/access: `Role`)."""

_NAME = r"^[a-z0-9][a-z0-9._-]{0,63}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Organisation(_Frozen):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)


class Team(_Frozen):
    id: str = Field(pattern=_NAME)
    name: str = Field(min_length=1)
    base: str = Field(min_length=1)


class User(_Frozen):
    username: str = Field(pattern=_NAME)
    sub: UUID
    """The stable subject identifier: opaque, as CIS2's UUID or Entra's object id are."""
    name: str = Field(min_length=1)
    roles: list[str] = Field(min_length=1)
    org: str
    team: str | None = None
    staff_id: UUID | None = None
    gp_practice: str | None = None


class PublicClient(_Frozen):
    """A browser or native app: no secret, so PKCE (S256) is what binds the code to it."""

    client_id: str = Field(pattern=_NAME)
    name: str = Field(min_length=1)
    redirect_uri_prefixes: list[str] = Field(min_length=1)
    """A redirect URI is allowed when it starts with one of these *and* its scheme and host are the
    prefix's: `http://localhost:@evil.example/` starts with `http://localhost:` but is not localhost."""
    require_pkce: bool = True

    def allows_redirect(self, uri: str) -> bool:
        return any(_redirect_matches(uri, prefix) for prefix in self.redirect_uri_prefixes)


class ConfidentialClient(_Frozen):
    """An integrating system (a hospital EHR, a GP system) using client credentials."""

    client_id: str = Field(pattern=_NAME)
    name: str = Field(min_length=1)
    client_secret: str = Field(min_length=16)
    """A development secret. Production issuers hold these in their own store, or use private_key_jwt."""
    org: str
    scopes: list[str] = Field(min_length=1)


class Directory(_Frozen):
    comment: str | None = Field(default=None, alias="_comment")
    organisations: list[Organisation]
    teams: list[Team]
    users: list[User]
    public_clients: list[PublicClient]
    clients: list[ConfidentialClient]

    @model_validator(mode="after")
    def _consistent(self) -> Directory:
        orgs = {org.code for org in self.organisations}
        teams = {team.id for team in self.teams}
        _unique("username", [user.username for user in self.users])
        _unique("sub", [str(user.sub) for user in self.users])
        _unique("client_id", [client.client_id for client in self.public_clients] + [client.client_id for client in self.clients])
        for user in self.users:
            if unknown := set(user.roles) - ROLES:
                raise ValueError(f"{user.username}: unknown roles {sorted(unknown)}")
            if user.org not in orgs:
                raise ValueError(f"{user.username}: unknown organisation {user.org!r}")
            if user.team is not None and user.team not in teams:
                raise ValueError(f"{user.username}: unknown team {user.team!r}")
        for client in self.clients:
            if client.org not in orgs:
                raise ValueError(f"{client.client_id}: unknown organisation {client.org!r}")
        return self

    def user(self, username: str) -> User | None:
        return next((user for user in self.users if user.username == username), None)

    def public_client(self, client_id: str) -> PublicClient | None:
        return next((client for client in self.public_clients if client.client_id == client_id), None)

    def confidential_client(self, client_id: str) -> ConfidentialClient | None:
        return next((client for client in self.clients if client.client_id == client_id), None)

    def organisation(self, code: str) -> Organisation | None:
        return next((org for org in self.organisations if org.code == code), None)

    def team(self, team_id: str) -> Team | None:
        return next((team for team in self.teams if team.id == team_id), None)


def load(path: Path) -> Directory:
    return Directory.model_validate(json.loads(path.read_text(encoding="utf-8")))


def _unique(what: str, values: list[str]) -> None:
    if duplicates := sorted({value for value in values if values.count(value) > 1}):
        raise ValueError(f"duplicate {what}: {duplicates}")


def _redirect_matches(uri: str, prefix: str) -> bool:
    if not uri.startswith(prefix) or any(ch.isspace() or ord(ch) < 0x20 or ch == "\\" for ch in uri):
        return False
    try:
        parts = urlsplit(uri)
        allowed = urlsplit(prefix)
        port = parts.port  # ValueError for `localhost:8080.evil.example`
    except ValueError:
        return False
    return (
        parts.scheme == allowed.scheme
        and "@" not in parts.netloc
        and parts.hostname == allowed.hostname
        and port is not None
        and not parts.fragment  # RFC 6749 §3.1.2: no fragment
    )

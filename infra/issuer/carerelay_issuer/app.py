"""The issuer's HTTP surface: discovery, JWKS, /authorize (code flow with PKCE) and /token.

Errors follow RFC 6749: at /authorize they go back to the client's redirect URI, except when the
client or the redirect URI itself is not trusted, which gets an error page and no redirect; at
/token they are `{"error": ..., "error_description": ...}` with 400, or 401 for client authentication.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit
from uuid import uuid4

import jwt
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from . import directory as directory_module
from .directory import ConfidentialClient, Directory, PublicClient, User
from .keys import SigningKey, load_or_create
from .pages import SECURITY_HEADERS, error_page, sign_in_page
from .settings import IssuerSettings

AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)
"""The authorisation request parameters carried through the sign-in page."""

CODE_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url(SHA-256), no padding
CODE_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # RFC 7636 §4.1
MAX_FORM_BYTES = 16 * 1024
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class OAuthError(Exception):
    """An RFC 6749 §5.2 error response from the token endpoint."""

    def __init__(self, error: str, description: str, status_code: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status_code = status_code

    def response(self) -> JSONResponse:
        headers = dict(NO_STORE)
        if self.status_code == 401:
            headers["WWW-Authenticate"] = 'Basic realm="carerelay-issuer", charset="UTF-8"'
        return JSONResponse(
            {"error": self.error, "error_description": self.description}, status_code=self.status_code, headers=headers
        )


class UntrustedRequest(Exception):
    """The authorisation request names an unknown client or a redirect URI not registered for it."""


@dataclass(frozen=True)
class PendingCode:
    username: str
    client_id: str
    redirect_uri: str
    code_challenge: str | None
    nonce: str | None
    auth_time: int
    expires_at: float


class Issuer:
    """The signing key, the directory, and the one-time codes handed out but not yet redeemed."""

    def __init__(self, settings: IssuerSettings, directory: Directory, key: SigningKey, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.directory = directory
        self.key = key
        self.clock = clock
        self._codes: dict[str, PendingCode] = {}

    def url(self, path: str) -> str:
        return f"{self.settings.public_url}{path}"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.settings.public_url,
            "authorization_endpoint": self.url("/authorize"),
            "token_endpoint": self.url("/token"),
            "jwks_uri": self.url("/jwks.json"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": sorted({"openid", *(scope for client in self.directory.clients for scope in client.scopes)}),
            "claims_supported": [
                "iss",
                "aud",
                "sub",
                "iat",
                "nbf",
                "exp",
                "jti",
                "name",
                "preferred_username",
                "roles",
                "org",
                "team",
                "staff_id",
                "gp_practice",
                "client_id",
                "scope",
            ],
            "authorization_response_iss_parameter_supported": True,
        }

    # --- codes -------------------------------------------------------------------------------

    def issue_code(self, user: User, client_id: str, redirect_uri: str, code_challenge: str | None, nonce: str | None) -> str:
        now = self.clock()
        self._codes = {code: pending for code, pending in self._codes.items() if pending.expires_at > now}
        code = secrets.token_urlsafe(32)
        self._codes[code] = PendingCode(
            username=user.username,
            client_id=client_id,
            redirect_uri=redirect_uri,
            code_challenge=code_challenge,
            nonce=nonce,
            auth_time=int(now),
            expires_at=now + self.settings.code_seconds,
        )
        return code

    def redeem_code(self, code: str, client_id: str, redirect_uri: str | None, code_verifier: str | None) -> PendingCode:
        """The code's grant, once: it is spent by the first attempt to redeem it, right or wrong."""
        pending = self._codes.pop(code, None)
        if pending is None:
            raise OAuthError("invalid_grant", "the authorisation code is unknown or has already been used")
        if pending.expires_at <= self.clock():
            raise OAuthError("invalid_grant", "the authorisation code has expired")
        if not hmac.compare_digest(pending.client_id, client_id):
            raise OAuthError("invalid_grant", "the authorisation code was issued to another client")
        if redirect_uri is None or not hmac.compare_digest(pending.redirect_uri, redirect_uri):
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorisation request")
        if pending.code_challenge is not None:
            if code_verifier is None or not CODE_VERIFIER.match(code_verifier):
                raise OAuthError("invalid_grant", "a code_verifier of 43-128 unreserved characters is required")
            if not hmac.compare_digest(s256(code_verifier), pending.code_challenge):
                raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
        elif code_verifier is not None:
            raise OAuthError("invalid_grant", "code_verifier given but the authorisation request had no code_challenge")
        return pending

    # --- tokens ------------------------------------------------------------------------------

    def sign(self, claims: Mapping[str, Any]) -> str:
        return jwt.encode(dict(claims), self.key.private_key, algorithm="RS256", headers={"kid": self.key.kid})

    def _times(self, minutes: int) -> dict[str, Any]:
        now = int(self.clock())
        return {"iat": now, "nbf": now, "exp": now + minutes * 60, "jti": str(uuid4())}

    def user_tokens(self, user: User, pending: PendingCode) -> dict[str, Any]:
        lifetime = self.settings.user_token_minutes
        person = {
            "name": user.name,
            "roles": list(user.roles),
            "org": user.org,
            "team": user.team,
            "staff_id": str(user.staff_id) if user.staff_id else None,
            "gp_practice": user.gp_practice,
        }
        times = self._times(lifetime)
        access_token = self.sign(
            {"iss": self.settings.public_url, "aud": self.settings.audience, "sub": str(user.sub), **times, **person}
        )
        id_claims: dict[str, Any] = {
            "iss": self.settings.public_url,
            "aud": pending.client_id,
            "azp": pending.client_id,
            "sub": str(user.sub),
            **self._times(lifetime),
            "auth_time": pending.auth_time,
            "at_hash": half_hash(access_token),
            "preferred_username": user.username,
            **person,
        }
        if pending.nonce is not None:
            id_claims["nonce"] = pending.nonce
        return {
            "access_token": access_token,
            "id_token": self.sign(id_claims),
            "token_type": "Bearer",
            "expires_in": lifetime * 60,
        }

    def client_token(self, client: ConfidentialClient, scopes: list[str]) -> dict[str, Any]:
        lifetime = self.settings.client_token_minutes
        scope = " ".join(scopes)
        access_token = self.sign(
            {
                "iss": self.settings.public_url,
                "aud": self.settings.audience,
                "sub": client.client_id,
                **self._times(lifetime),
                "client_id": client.client_id,
                "scope": scope,
                "roles": ["integrator"],
                "org": client.org,
            }
        )
        return {"access_token": access_token, "token_type": "Bearer", "expires_in": lifetime * 60, "scope": scope}


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def half_hash(token: str) -> str:
    """OIDC Core §3.1.3.6 at_hash for RS256: the left half of SHA-256, base64url."""
    digest = hashlib.sha256(token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def with_query(uri: str, params: Mapping[str, str | None]) -> str:
    """`uri` with `params` added to any query it already has."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend((name, value) for name, value in params.items() if value is not None)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def single_valued(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """RFC 6749 §3.1 and §3.2: parameters must not be repeated."""
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise ValueError(f"the parameter {name} is repeated")
        params[name] = value
    return params


async def read_form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_CONTENT_TYPE:
        raise OAuthError("invalid_request", f"the request body must be {FORM_CONTENT_TYPE}")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise OAuthError("invalid_request", "the request body is too large")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=32)
        return single_valued(pairs)
    except (UnicodeDecodeError, ValueError) as error:
        raise OAuthError("invalid_request", str(error)) from error


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """client_secret_basic (RFC 6749 §2.3.1): both halves are form-urlencoded before base64."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError("invalid_client", "only HTTP Basic client authentication is accepted", 401)
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise OAuthError("invalid_client", "the Basic credentials are malformed", 401) from error
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise OAuthError("invalid_client", "the Basic credentials are malformed", 401)
    return unquote_plus(client_id), unquote_plus(secret)


def create_app(settings: IssuerSettings | None = None, *, clock: Callable[[], float] = time.time) -> FastAPI:
    settings = settings or IssuerSettings()
    issuer = Issuer(settings, directory_module.load(settings.users_file), load_or_create(settings.key_dir), clock)
    app = FastAPI(title="CareRelay development OpenID Connect issuer", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.issuer = issuer

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> JSONResponse:
        return JSONResponse(issuer.discovery(), headers={"Cache-Control": "public, max-age=300"})

    @app.get("/jwks.json")
    async def jwks() -> JSONResponse:
        return JSONResponse({"keys": [issuer.key.public_jwk]}, headers={"Cache-Control": "public, max-age=300"})

    @app.get("/authorize")
    async def authorize_get(request: Request) -> Response:
        try:
            params = single_valued(list(request.query_params.multi_items()))
        except ValueError as error:
            return _untrusted(str(error))
        return _authorize(issuer, params, username=params.get("login_hint"), posted=False)

    @app.post("/authorize")
    async def authorize_post(request: Request) -> Response:
        try:
            params = await read_form(request)
        except OAuthError as error:
            return _untrusted(error.description)
        return _authorize(issuer, params, username=params.get("username"), posted=True)

    @app.post("/token")
    async def token(request: Request) -> Response:
        try:
            form = await read_form(request)
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                body = _authorization_code_grant(issuer, request, form)
            elif grant_type == "client_credentials":
                body = _client_credentials_grant(issuer, request, form)
            elif grant_type is None:
                raise OAuthError("invalid_request", "grant_type is required")
            else:
                raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
        except OAuthError as error:
            return error.response()
        return JSONResponse(body, headers=NO_STORE)

    return app


# --- /authorize ------------------------------------------------------------------------------------


def _untrusted(detail: str) -> HTMLResponse:
    return HTMLResponse(error_page("This sign-in request cannot be used", detail), status_code=400, headers=SECURITY_HEADERS)


def _authorize(issuer: Issuer, params: dict[str, str], *, username: str | None, posted: bool) -> Response:
    try:
        client, redirect_uri = _trusted_client(issuer.directory, params)
    except UntrustedRequest as error:
        return _untrusted(str(error))
    state = params.get("state")

    def refuse(error: str, description: str) -> Response:
        location = with_query(
            redirect_uri, {"error": error, "error_description": description, "state": state, "iss": issuer.settings.public_url}
        )
        return RedirectResponse(location, status_code=302, headers={"Cache-Control": "no-store"})

    if params.get("response_type") != "code":
        return refuse("unsupported_response_type", "only response_type=code is supported")
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method")
    if challenge is not None:
        if method != "S256":
            return refuse("invalid_request", "code_challenge_method must be S256")
        if not CODE_CHALLENGE.match(challenge):
            return refuse("invalid_request", "code_challenge must be the base64url SHA-256 of the code_verifier")
    elif method is not None:
        return refuse("invalid_request", "code_challenge_method given without a code_challenge")
    elif client.require_pkce:
        return refuse("invalid_request", "PKCE is required: send code_challenge and code_challenge_method=S256")

    user = issuer.directory.user(username) if username else None
    if user is None:
        if params.get("prompt") == "none":
            return refuse("login_required", "prompt=none, and no demo user was named in login_hint")
        carried = {name: params[name] for name in AUTHORIZE_PARAMS if name in params}
        notice = f"There is no demo person with the username {username!r}: choose one below." if username else None
        page = sign_in_page(issuer.directory, issuer.url("/authorize"), client.name, carried, notice)
        return HTMLResponse(page, status_code=400 if posted and username else 200, headers=SECURITY_HEADERS)

    code = issuer.issue_code(user, client.client_id, redirect_uri, challenge, params.get("nonce"))
    location = with_query(redirect_uri, {"code": code, "state": state, "iss": issuer.settings.public_url})
    return RedirectResponse(location, status_code=302, headers={"Cache-Control": "no-store"})


def _trusted_client(directory: Directory, params: Mapping[str, str]) -> tuple[PublicClient, str]:
    client_id = params.get("client_id")
    client = directory.public_client(client_id) if client_id else None
    if client is None:
        raise UntrustedRequest("The application asking you to sign in (client_id) is not registered with this issuer.")
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri or not client.allows_redirect(redirect_uri):
        raise UntrustedRequest("The address to return to (redirect_uri) is not registered for this application.")
    return client, redirect_uri


# --- /token ----------------------------------------------------------------------------------------


def _authorization_code_grant(issuer: Issuer, request: Request, form: Mapping[str, str]) -> dict[str, Any]:
    basic = basic_credentials(request)
    client_id = form.get("client_id") or (basic[0] if basic else None)
    if not client_id:
        raise OAuthError("invalid_request", "client_id is required")
    if basic and basic[0] != client_id:
        raise OAuthError("invalid_request", "client_id differs between the form and the Authorization header")
    client = issuer.directory.public_client(client_id)
    if client is None:
        if issuer.directory.confidential_client(client_id) is not None:
            raise OAuthError("unauthorized_client", "this client may only use client_credentials")
        raise OAuthError("invalid_client", "unknown client", 401)
    if (basic and basic[1]) or form.get("client_secret"):
        raise OAuthError("invalid_client", "this is a public client: it has no secret", 401)
    code = form.get("code")
    if not code:
        raise OAuthError("invalid_request", "code is required")
    pending = issuer.redeem_code(code, client_id, form.get("redirect_uri"), form.get("code_verifier"))
    user = issuer.directory.user(pending.username)
    if user is None:  # the directory is fixed for the process's life; kept for the type checker
        raise OAuthError("invalid_grant", "the signed-in person is no longer in the directory")
    return issuer.user_tokens(user, pending)


def _client_credentials_grant(issuer: Issuer, request: Request, form: Mapping[str, str]) -> dict[str, Any]:
    basic = basic_credentials(request)
    if basic and (form.get("client_secret") is not None):
        raise OAuthError("invalid_request", "use one client authentication method, not both")
    if basic:
        client_id, secret = basic
        if form.get("client_id") not in (None, client_id):
            raise OAuthError("invalid_request", "client_id differs between the form and the Authorization header")
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    client = issuer.directory.confidential_client(client_id)
    expected = client.client_secret if client else secrets.token_urlsafe(24)  # compare anyway: same timing
    if not hmac.compare_digest(secret.encode("utf-8"), expected.encode("utf-8")) or client is None:
        raise OAuthError("invalid_client", "client authentication failed", 401)
    requested = form.get("scope")
    if requested is None or not requested.strip():
        scopes = list(client.scopes)
    else:
        scopes = list(dict.fromkeys(requested.split()))
        if outside := [scope for scope in scopes if scope not in client.scopes]:
            raise OAuthError("invalid_scope", f"not allowed for this client: {' '.join(outside)}")
    return issuer.client_token(client, scopes)

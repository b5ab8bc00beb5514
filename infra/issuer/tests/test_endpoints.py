"""The issuer as the services and the web app meet it: discovery, JWKS, the code flow with PKCE,
client credentials, and the ways each is refused. Tokens are verified with PyJWT against the JWKS,
as the services verify them (RS256, issuer, audience)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
import uvicorn

from carerelay_issuer.app import create_app
from carerelay_issuer.directory import load
from carerelay_issuer.settings import PACKAGE, IssuerSettings

ISSUER = "http://127.0.0.1:8100"
AUDIENCE = "carerelay-api"
WEB = "carerelay-web"
REDIRECT = "http://127.0.0.1:8080/signed-in"
EHR, EHR_SECRET = "county-general-ehr", "dev-secret-county-general"
EHR_SCOPES = ["referrals:write", "referrals:read", "events:subscribe"]
REQUIRED = ["iss", "aud", "sub", "iat", "nbf", "exp", "jti"]
AMARA_STAFF_ID = "14e4a0c4-dde5-54f8-9ea9-ca46aaf78101"


class Clock:
    """The issuer's clock, which a test can move on (real time at the start, so PyJWT's checks agree)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path) -> IssuerSettings:
    return IssuerSettings(public_url=f"{ISSUER}/", key_dir=tmp_path / "keys")


@pytest.fixture
async def client(settings: IssuerSettings, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=settings.public_url) as http:
        yield http


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(challenge: str, **changes: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": WEB,
        "redirect_uri": REDIRECT,
        "state": "st-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **changes,
    }
    return {name: value for name, value in params.items() if value is not None}


def redirected(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """The redirect's target (without query) and its query parameters."""
    assert response.status_code == 302, response.text
    parts = urlsplit(response.headers["location"])
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}", query


async def sign_in(client: httpx.AsyncClient, username: str, **changes: str | None) -> tuple[str, str]:
    """Sign in as `username` by login_hint: the one-time code and the PKCE verifier."""
    verifier, challenge = pkce()
    response = await client.get("/authorize", params=authorize_params(challenge, login_hint=username, **changes))
    target, query = redirected(response)
    assert target == REDIRECT
    assert query["state"] == "st-123"
    assert query["iss"] == ISSUER
    return query["code"], verifier


async def exchange(client: httpx.AsyncClient, code: str, verifier: str, **changes: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": WEB,
        "code_verifier": verifier,
    }
    return await client.post("/token", data={**form, **changes})


async def verify(client: httpx.AsyncClient, token: str, audience: str = AUDIENCE) -> dict[str, Any]:
    """Verify as a service does: discovery, then the JWKS it names, then RS256 with issuer and audience."""
    discovery = (await client.get("/.well-known/openid-configuration")).json()
    keys = jwt.PyJWKSet.from_dict((await client.get(discovery["jwks_uri"])).json())
    kid = jwt.get_unverified_header(token)["kid"]
    claims: dict[str, Any] = jwt.decode(
        token, keys[kid].key, algorithms=["RS256"], audience=audience, issuer=discovery["issuer"], options={"require": REQUIRED}
    )
    return claims


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["error_description"]
    assert response.headers["cache-control"] == "no-store"


# --- discovery and keys -----------------------------------------------------------------------------


async def test_discovery_document_describes_the_issuer(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/openid-configuration")

    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == ISSUER  # the configured trailing slash is not part of the identifier
    assert document["authorization_endpoint"] == f"{ISSUER}/authorize"
    assert document["token_endpoint"] == f"{ISSUER}/token"
    assert document["jwks_uri"] == f"{ISSUER}/jwks.json"
    assert document["response_types_supported"] == ["code"]
    assert document["grant_types_supported"] == ["authorization_code", "client_credentials"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["subject_types_supported"] == ["public"]


async def test_jwks_publishes_the_signing_key_by_its_thumbprint(client: httpx.AsyncClient) -> None:
    keys = (await client.get("/jwks.json")).json()["keys"]

    assert len(keys) == 1
    (key,) = keys
    assert {key["kty"], key["alg"], key["use"], key["e"]} == {"RSA", "RS256", "sig", "AQAB"}
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)  # public parts only
    canonical = json.dumps({"e": key["e"], "kty": "RSA", "n": key["n"]}, separators=(",", ":"))
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    assert key["kid"] == thumbprint
    modulus = int.from_bytes(base64.urlsafe_b64decode(key["n"] + "=" * (-len(key["n"]) % 4)), "big")
    assert modulus.bit_length() == 2048


# --- authorisation code with PKCE -----------------------------------------------------------------


async def test_code_flow_with_pkce_gives_tokens_that_verify_against_the_jwks(client: httpx.AsyncClient) -> None:
    code, verifier = await sign_in(client, "amara.okafor", nonce="n-0S6_WzA2Mj")

    response = await exchange(client, code, verifier)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 480 * 60
    claims = await verify(client, body["access_token"])
    assert claims["iss"] == ISSUER
    assert claims["aud"] == AUDIENCE
    assert claims["exp"] - claims["iat"] == 480 * 60
    assert claims["nbf"] == claims["iat"]
    assert claims["jti"]
    assert claims["name"] == "Nurse Amara Okafor"
    assert claims["roles"] == ["field-clinician"]
    assert claims["org"] == "community-health-trust"
    assert claims["team"] == "north"
    assert claims["staff_id"] == AMARA_STAFF_ID
    assert claims["gp_practice"] is None
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"

    id_claims = await verify(client, body["id_token"], audience=WEB)
    assert id_claims["sub"] == claims["sub"]
    assert id_claims["nonce"] == "n-0S6_WzA2Mj"
    assert id_claims["preferred_username"] == "amara.okafor"
    digest = hashlib.sha256(body["access_token"].encode()).digest()
    assert id_claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


async def test_gp_and_hub_users_carry_their_organisations(client: httpx.AsyncClient) -> None:
    for username, expected in [
        ("hana.patel", {"roles": ["gp"], "org": "C82001", "gp_practice": "C82001", "team": None, "staff_id": None}),
        ("sophie.reid", {"roles": ["hub-call-handler"], "org": "county-spa", "team": None, "staff_id": None}),
    ]:
        code, verifier = await sign_in(client, username)
        claims = await verify(client, (await exchange(client, code, verifier)).json()["access_token"])
        assert {name: claims[name] for name in expected} == expected


async def test_the_sign_in_buttons_post_back_and_redirect_with_a_code(client: httpx.AsyncClient) -> None:
    verifier, challenge = pkce()

    response = await client.post("/authorize", data={**authorize_params(challenge), "username": "joe.evans"})

    _, query = redirected(response)
    claims = await verify(client, (await exchange(client, query["code"], verifier)).json()["access_token"])
    assert claims["roles"] == ["carer"]
    assert claims["org"] == "county-council"


async def test_a_code_is_used_once(client: httpx.AsyncClient) -> None:
    code, verifier = await sign_in(client, "amara.okafor")
    assert (await exchange(client, code, verifier)).status_code == 200

    assert_oauth_error(await exchange(client, code, verifier), 400, "invalid_grant")


async def test_a_wrong_verifier_is_refused_and_spends_the_code(client: httpx.AsyncClient) -> None:
    code, verifier = await sign_in(client, "amara.okafor")
    other_verifier, _ = pkce()

    assert_oauth_error(await exchange(client, code, other_verifier), 400, "invalid_grant")
    assert_oauth_error(await exchange(client, code, verifier), 400, "invalid_grant")


async def test_a_missing_verifier_is_refused(client: httpx.AsyncClient) -> None:
    code, _ = await sign_in(client, "amara.okafor")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": WEB}

    assert_oauth_error(await client.post("/token", data=form), 400, "invalid_grant")


async def test_the_code_is_bound_to_its_redirect_uri(client: httpx.AsyncClient) -> None:
    code, verifier = await sign_in(client, "amara.okafor")

    response = await exchange(client, code, verifier, redirect_uri="http://127.0.0.1:8080/elsewhere")

    assert_oauth_error(response, 400, "invalid_grant")


async def test_a_code_expires_after_sixty_seconds(client: httpx.AsyncClient, clock: Clock) -> None:
    code, verifier = await sign_in(client, "amara.okafor")
    clock.advance(61)

    assert_oauth_error(await exchange(client, code, verifier), 400, "invalid_grant")


@pytest.mark.parametrize(
    ("client_id", "redirect_uri"),
    [
        (WEB, "https://evil.example/callback"),
        (WEB, "http://localhost:@evil.example/callback"),  # starts with an allowed prefix, but the host is evil.example
        (WEB, "http://localhost:8080@evil.example/callback"),
        (WEB, "http://localhost:8080.evil.example/callback"),
        (WEB, "http://127.0.0.1.evil.example:8080/callback"),
        (WEB, "http://127.0.0.1:8080/callback#fragment"),
        (WEB, None),
        ("someone-else", REDIRECT),
        (None, REDIRECT),
    ],
)
async def test_an_unregistered_redirect_uri_or_client_gets_an_error_page_not_a_redirect(
    client: httpx.AsyncClient, client_id: str | None, redirect_uri: str | None
) -> None:
    _, challenge = pkce()
    params = authorize_params(challenge, client_id=client_id, redirect_uri=redirect_uri, login_hint="amara.okafor")

    for response in [
        await client.get("/authorize", params=params),
        await client.post("/authorize", data={**params, "username": "amara.okafor"}),
    ]:
        assert response.status_code == 400
        assert "location" not in response.headers
        assert response.headers["content-type"].startswith("text/html")
        assert "code=" not in response.text


async def test_pkce_is_required_of_the_web_app_and_only_s256(client: httpx.AsyncClient) -> None:
    verifier, challenge = pkce()
    refusals = [
        authorize_params(challenge, code_challenge=None, code_challenge_method=None, login_hint="amara.okafor"),
        authorize_params(verifier, code_challenge_method="plain", login_hint="amara.okafor"),
        authorize_params(challenge, code_challenge_method=None, login_hint="amara.okafor"),
        authorize_params("too-short", login_hint="amara.okafor"),
    ]
    for params in refusals:
        target, query = redirected(await client.get("/authorize", params=params))
        assert target == REDIRECT
        assert query["error"] == "invalid_request"
        assert query["state"] == "st-123"
        assert "code" not in query


async def test_only_the_code_response_type_is_supported(client: httpx.AsyncClient) -> None:
    _, challenge = pkce()
    params = authorize_params(challenge, response_type="token", login_hint="amara.okafor")

    _, query = redirected(await client.get("/authorize", params=params))

    assert query["error"] == "unsupported_response_type"


async def test_repeated_parameters_are_refused(client: httpx.AsyncClient) -> None:
    _, challenge = pkce()
    query = httpx.QueryParams(authorize_params(challenge, login_hint="amara.okafor")).add("redirect_uri", "https://evil.example/")

    response = await client.get("/authorize", params=query)

    assert response.status_code == 400
    assert "location" not in response.headers


# --- the sign-in page -----------------------------------------------------------------------------


async def test_sign_in_page_lists_every_demo_user_as_a_button(client: httpx.AsyncClient) -> None:
    _, challenge = pkce()

    response = await client.get("/authorize", params=authorize_params(challenge))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert '<html lang="en-GB">' in page
    assert '<form method="post" action="http://127.0.0.1:8100/authorize">' in page
    assert f'<input type="hidden" name="code_challenge" value="{challenge}">' in page
    directory = load(PACKAGE / "demo_users.json")
    assert len(directory.users) == 9
    for user in directory.users:
        assert f'<button type="submit" name="username" value="{user.username}">' in page
        assert escape(user.name) in page
    for text in ["Field clinician", "Hub call handler", "Community Health Trust", "North team, Northgate Community Base"]:
        assert text in page
    assert "<script" not in page.lower()


async def test_an_unknown_login_hint_shows_the_sign_in_page(client: httpx.AsyncClient) -> None:
    _, challenge = pkce()

    response = await client.get("/authorize", params=authorize_params(challenge, login_hint="nobody"))

    assert response.status_code == 200
    assert "There is no demo person with the username &#x27;nobody&#x27;" in response.text
    assert "location" not in response.headers


async def test_sign_in_page_escapes_user_data_and_request_parameters(tmp_path: Path, clock: Clock) -> None:
    directory = json.loads((PACKAGE / "demo_users.json").read_text())
    directory["users"][0]["name"] = '<script>alert("name")</script>'
    directory["organisations"][0]["name"] = '"><img src=x onerror=alert(1)>'
    directory["teams"][0]["base"] = "</span><script>alert('base')</script>"
    users_file = tmp_path / "users.json"
    users_file.write_text(json.dumps(directory))
    settings = IssuerSettings(key_dir=tmp_path / "keys", users_file=users_file)
    app = create_app(settings, clock=clock)
    _, challenge = pkce()
    params = authorize_params(challenge, state='"><script>alert("state")</script>', nonce="</form><script>x()</script>")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ISSUER) as http:
        page = (await http.get("/authorize", params=params)).text

    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'value="&quot;&gt;&lt;script&gt;alert(&quot;state&quot;)&lt;/script&gt;"' in page


# --- client credentials ---------------------------------------------------------------------------


async def test_client_credentials_with_http_basic(client: httpx.AsyncClient) -> None:
    response = await client.post("/token", data={"grant_type": "client_credentials"}, auth=(EHR, EHR_SECRET))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert "id_token" not in body
    claims = await verify(client, body["access_token"])
    assert claims["sub"] == EHR
    assert claims["client_id"] == EHR
    assert claims["scope"].split() == EHR_SCOPES
    assert claims["roles"] == ["integrator"]
    assert claims["org"] == "RXX01"
    assert claims["exp"] - claims["iat"] == 3600


async def test_client_credentials_in_the_form_with_a_narrower_scope(client: httpx.AsyncClient) -> None:
    form = {"grant_type": "client_credentials", "client_id": EHR, "client_secret": EHR_SECRET, "scope": "referrals:read"}

    response = await client.post("/token", data=form)

    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "referrals:read"
    assert (await verify(client, response.json()["access_token"]))["scope"] == "referrals:read"


@pytest.mark.parametrize(
    ("auth", "form"),
    [
        ((EHR, "not-the-secret"), {}),
        ((EHR, ""), {}),
        (("unknown-client", EHR_SECRET), {}),
        (None, {"client_id": EHR, "client_secret": "not-the-secret"}),
        (None, {"client_id": EHR}),
        ((WEB, ""), {}),  # a public client has no secret to use client credentials with
    ],
)
async def test_client_credentials_with_bad_credentials_is_401(
    client: httpx.AsyncClient, auth: tuple[str, str] | None, form: dict[str, str]
) -> None:
    data = {"grant_type": "client_credentials", **form}

    response = await (client.post("/token", data=data) if auth is None else client.post("/token", data=data, auth=auth))

    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")


async def test_a_scope_outside_the_clients_allowance_is_refused(client: httpx.AsyncClient) -> None:
    form = {"grant_type": "client_credentials", "scope": "referrals:read audit:read"}

    response = await client.post("/token", data=form, auth=(EHR, EHR_SECRET))

    assert_oauth_error(response, 400, "invalid_scope")
    assert "audit:read" in response.json()["error_description"]


async def test_malformed_token_requests_are_refused(client: httpx.AsyncClient) -> None:
    assert_oauth_error(await client.post("/token", data={"grant_type": "password"}), 400, "unsupported_grant_type")
    assert_oauth_error(await client.post("/token", data={}), 400, "invalid_request")
    assert_oauth_error(await client.post("/token", json={"grant_type": "client_credentials"}), 400, "invalid_request")
    code, verifier = await sign_in(client, "amara.okafor")
    stolen = await exchange(client, code, verifier, client_id=EHR)
    assert_oauth_error(stolen, 400, "unauthorized_client")


# --- over real HTTP, as a service fetches the keys ------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The issuer on a real socket, as `python -m carerelay_issuer` serves it: its public URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    public_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    app = create_app(IssuerSettings(public_url=public_url, key_dir=tmp_path / "keys"))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the issuer did not start"
        time.sleep(0.02)
    yield public_url
    server.should_exit = True
    thread.join(10)
    listener.close()


def test_a_service_verifies_tokens_over_http_with_pyjwks_client(served: str) -> None:
    with httpx.Client(base_url=served) as http:
        discovery = http.get("/.well-known/openid-configuration").json()
        token = http.post("/token", data={"grant_type": "client_credentials"}, auth=(EHR, EHR_SECRET)).json()["access_token"]

    signing_key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, signing_key.key, algorithms=["RS256"], audience=AUDIENCE, issuer=served)

    assert discovery["issuer"] == served
    assert claims["client_id"] == EHR

"""Signing in to the dev issuer as a browser or an integrator does: the authorization code flow
(PKCE, with a login hint in place of clicking a name on the sign-in page) or client credentials."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlparse

import httpx

WEB_CLIENT = "carerelay-web"
REDIRECT_URI = "http://127.0.0.1:9/signed-in"


async def user_token(issuer: str, username: str) -> str:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    async with httpx.AsyncClient(base_url=issuer, timeout=10) as client:
        authorised = await client.get(
            "/authorize",
            params={
                "response_type": "code",
                "client_id": WEB_CLIENT,
                "redirect_uri": REDIRECT_URI,
                "state": "tests",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "login_hint": username,
            },
        )
        assert authorised.status_code in (302, 303), authorised.text
        code = parse_qs(urlparse(authorised.headers["location"]).query)["code"][0]
        issued = await client.post(
            "/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "client_id": WEB_CLIENT,
                "code_verifier": verifier,
            },
        )
        assert issued.status_code == 200, issued.text
        token: str = issued.json()["access_token"]
        return token


async def client_token(issuer: str, client_id: str, secret: str, scope: str | None = None) -> str:
    async with httpx.AsyncClient(base_url=issuer, timeout=10) as client:
        data = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
        issued = await client.post("/token", data=data, auth=(client_id, secret))
        assert issued.status_code == 200, issued.text
        token: str = issued.json()["access_token"]
        return token

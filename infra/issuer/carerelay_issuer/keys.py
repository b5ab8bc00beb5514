"""The issuer's RS256 signing key: generated once into the key directory, then reused, so tokens and
the services' cached JWKS survive a restart. The `kid` is the key's RFC 7638 JWK thumbprint."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

log = logging.getLogger(__name__)

PRIVATE_KEY_FILE = "signing-key.pem"
KEY_BITS = 2048


def b64url_uint(value: int) -> str:
    """An unsigned integer as base64url without padding, big-endian and minimal (RFC 7518 §2)."""
    raw = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace."""
    if jwk.get("kty") != "RSA":
        raise ValueError("only RSA keys are supported")
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str

    @property
    def public_jwk(self) -> dict[str, str]:
        numbers = self.private_key.public_key().public_numbers()
        jwk = {"kty": "RSA", "n": b64url_uint(numbers.n), "e": b64url_uint(numbers.e)}
        return {**jwk, "use": "sig", "alg": "RS256", "kid": self.kid}

    @classmethod
    def from_private_key(cls, private_key: rsa.RSAPrivateKey) -> SigningKey:
        numbers = private_key.public_key().public_numbers()
        kid = jwk_thumbprint({"kty": "RSA", "n": b64url_uint(numbers.n), "e": b64url_uint(numbers.e)})
        return cls(private_key=private_key, kid=kid)


def load_or_create(key_dir: Path) -> SigningKey:
    """The key in `key_dir`, generating it the first time. Safe if two processes start at once: the
    key is written to a private temporary file and linked into place only if none is there yet."""
    path = key_dir / PRIVATE_KEY_FILE
    if not path.exists():
        _create(key_dir, path)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("the issuer's private key %s is readable by others (mode %o): chmod 600 it", path, mode)
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return SigningKey.from_private_key(private_key)


def _create(key_dir: Path, path: Path) -> None:
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    temporary = key_dir / f".{PRIVATE_KEY_FILE}.{secrets.token_hex(8)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
            log.info("generated a new signing key in %s", path)
        except FileExistsError:
            pass  # another process got there first: use its key
    finally:
        temporary.unlink(missing_ok=True)

"""Webhook signatures: HMAC-SHA256 over the timestamp and the body, so a receiver can check that a
message came from CareRelay, unchanged, and recently (replays outside the tolerance are refused).

    X-CareRelay-Timestamp: 1767225600
    X-CareRelay-Signature: sha256=<hex of HMAC-SHA256(secret, "<timestamp>." + body)>
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-CareRelay-Timestamp"
SIGNATURE_HEADER = "X-CareRelay-Signature"


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: bytes, timestamp: str, body: bytes, signature: str, now: float, tolerance_seconds: float = 300) -> bool:
    """What a receiver does: the signature matches (compared in constant time) and the timestamp is recent."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)

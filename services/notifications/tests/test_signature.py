from __future__ import annotations

import hashlib
import hmac
from uuid import uuid4

from carerelay_notifications.channels.base import Outgoing
from carerelay_notifications.channels.webhook import signed_headers
from carerelay_notifications.domain.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify

SECRET = b"shared-secret"


def test_a_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET, b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert sign(SECRET, 1700000000, b'{"a":1}') == f"sha256={expected}"


def test_the_receiver_accepts_a_fresh_untouched_message() -> None:
    body = b'{"resourceType":"Bundle"}'
    assert verify(SECRET, "1700000000", body, sign(SECRET, 1700000000, body), now=1700000010)


def test_the_receiver_refuses_a_changed_body_a_wrong_secret_a_replay_or_garbage() -> None:
    body = b'{"resourceType":"Bundle"}'
    good = sign(SECRET, 1700000000, body)
    assert not verify(SECRET, "1700000000", body + b" ", good, now=1700000010)
    assert not verify(b"another-secret", "1700000000", body, good, now=1700000010)
    assert not verify(SECRET, "1700000000", body, good, now=1700000000 + 3600)
    assert not verify(SECRET, "yesterday", body, good, now=1700000010)
    assert not verify(SECRET, "1700000000", body, "sha256=00", now=1700000010)


def test_webhook_headers_carry_the_signature_and_the_same_request_id_on_every_retry() -> None:
    message = Outgoing(uuid4(), "discharge-summary", "", "", to="http://gp.example", payload=b"{}", correlation_id="case-1")
    first, retry = signed_headers(message, SECRET, now=1700000000), signed_headers(message, SECRET, now=1700000100)
    assert first["X-Request-ID"] == retry["X-Request-ID"] == str(message.notification_id)
    assert first["X-Correlation-ID"] == "case-1"
    assert verify(SECRET, first[TIMESTAMP_HEADER], b"{}", first[SIGNATURE_HEADER], now=1700000000)

"""A message that can never succeed goes to the dead-letter topic with the reason and its original
headers, and the consumer keeps going: on triage's faust transport and on the aiokafka transport. An
event of a type the consumer's version does not know is skipped (counted), not dead-lettered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import orjson
import pytest

from carerelay_contract.topics import Topic
from carerelay_contract.vocabulary import LeadDiscipline, ReferralRoute, ResponseTier

from .support.events import a_triage_decision, its_acceptance
from .support.kafka import Message, produce_raw, publish, read_all, wait_for_messages
from .support.system import RunningSystem
from .support.waiting import eventually


def _ce_headers(ce_type: str, ce_id: str) -> list[tuple[str, bytes]]:
    return [
        ("ce_specversion", b"1.0"),
        ("ce_id", ce_id.encode()),
        ("ce_source", b"/tests"),
        ("ce_type", ce_type.encode()),
        ("content-type", b"application/json"),
    ]


def _referral(episode_id: str, referral_id: str) -> dict[str, Any]:
    return {
        "episode_id": episode_id,
        "referral_id": referral_id,
        "received_at": datetime.now(UTC).isoformat(),
        "route": "step-up",
        "referrer": {"role": "gp", "organisation": "Test Surgery", "callback_number": "0116 496 0000"},
        "patient": {
            "nhs_number": "9990000026",
            "given_name": "Ethel",
            "family_name": "Barnes",
            "date_of_birth": "1931-09-17",
            "address": "22 Canal Street",
            "postcode": "LE3 5BB",
            "gp_practice_code": "C82002",
        },
        "reason": "Fall at home",
        "presenting_needs": ["fall"],
        "consent_to_share": True,
    }


@pytest.mark.parametrize("with_reason", [True])
async def test_poison_messages_on_the_referral_topic_are_dead_lettered_and_triage_keeps_going(
    system: RunningSystem, with_reason: bool
) -> None:
    topic = system.topic(Topic.REFERRAL)
    episode = str(uuid4())
    key = episode.encode()
    received = "uk.nhs.carerelay.referral.received.v1"
    bad_referral = _referral(episode, str(uuid4()))
    bad_referral["patient"]["nhs_number"] = "9990000019"
    poison = {
        f"notjson-{episode}": (b"{this is not json", _ce_headers(received, f"notjson-{episode}")),
        f"unknown-{episode}": (b"{}", _ce_headers("uk.nhs.carerelay.unheard-of.v1", f"unknown-{episode}")),
        f"invalid-{episode}": (orjson.dumps(bad_referral), _ce_headers(received, f"invalid-{episode}")),
    }
    for value, headers in poison.values():
        await produce_raw(system.kafka, topic, value, key, headers)
    await produce_raw(system.kafka, topic, b"{}", key, [("content-type", b"application/json")])  # no CloudEvents headers
    good_referral_id = str(uuid4())
    await produce_raw(
        system.kafka, topic, orjson.dumps(_referral(episode, good_referral_id)), key, _ce_headers(received, f"good-{episode}")
    )

    def from_this_test(message: Message) -> bool:
        return (
            message.key == key and message.headers.get("carerelay_dlq_consumer") == f"{system.kafka.topic_prefix}carerelay-triage"
        )

    dead = await wait_for_messages(system.kafka, system.topic(Topic.DEAD_LETTER), from_this_test, count=3)
    reasons = {message.headers.get("ce_id", "(none)"): message.headers["carerelay_dlq_reason"] for message in dead}
    assert "not valid JSON" in reasons[f"notjson-{episode}"]
    assert "patient.nhs_number" in reasons[f"invalid-{episode}"]
    assert "9990000019" not in reasons[f"invalid-{episode}"]
    assert "missing CloudEvents header" in reasons["(none)"]
    for message in dead:
        assert message.headers["carerelay_dlq_original_topic"] == topic
        assert int(message.headers["carerelay_dlq_original_offset"]) >= 0
    assert dead[0].value == b"{this is not json", "the original value is kept"

    # The good message after the poison was still processed.
    rows = await eventually(
        lambda: system.query("triage", "SELECT tier FROM triage_decisions WHERE referral_id = $1::uuid", good_referral_id),
        what="triage to decide the good referral after the poison",
    )
    assert rows[0]["tier"] == "ucr-2h"
    # The unknown type was skipped, not dead-lettered (a newer producer's type: no handler can be here).
    after = [message for message in await read_all(system.kafka, system.topic(Topic.DEAD_LETTER)) if from_this_test(message)]
    assert sorted(message.headers.get("ce_id", "(none)") for message in after) == sorted(reasons)
    assert f"unknown-{episode}" not in reasons


async def test_schema_invalid_event_on_the_aiokafka_transport_is_dead_lettered(system: RunningSystem) -> None:
    """Scheduling consumes the triage topic with the aiokafka transport: same rules."""
    topic = system.topic(Topic.TRIAGE)
    episode = str(uuid4())
    bad = {"episode_id": episode, "referral_id": str(uuid4()), "tier": "whenever"}
    await produce_raw(
        system.kafka,
        topic,
        orjson.dumps(bad),
        episode.encode(),
        _ce_headers("uk.nhs.carerelay.triage.completed.v1", f"bad-{episode}"),
    )
    good = a_triage_decision(LeadDiscipline.THERAPIST, ResponseTier.FAST, ReferralRoute.STEP_DOWN, timedelta(days=1))
    await publish(system.kafka, its_acceptance(good))
    await publish(system.kafka, good)

    dead = await wait_for_messages(
        system.kafka,
        system.topic(Topic.DEAD_LETTER),
        lambda m: (
            m.headers.get("ce_id") == f"bad-{episode}"
            and m.headers.get("carerelay_dlq_consumer") == f"{system.kafka.topic_prefix}carerelay-scheduling"
        ),
    )
    reason = dead[0].headers["carerelay_dlq_reason"]
    assert "tier" in reason
    assert "decided_at: Field required" in reason
    await eventually(
        lambda: system.query("scheduling", "SELECT 1 FROM visits WHERE referral_id = $1", good.referral_id),
        what="scheduling to plan the good decision after the bad one",
    )

"""Which dead letter a record on the dead-letter topic is (`domain/dead_letters.py`): the same for every
copy of one poison message, different for different ones, and always a valid trigger id."""

from __future__ import annotations

from carerelay_notifications.domain.dead_letters import MAX_TRIGGER_LENGTH, dead_letter_trigger

TRIAGE, REFERRALS = "carerelay-triage", "carerelay.referral.v1"


def test_copies_of_one_event_are_one_dead_letter_wherever_they_sit() -> None:
    first = dead_letter_trigger(TRIAGE, REFERRALS, "ev-1", b"ep", b"{}", "dlq:0:3")
    assert dead_letter_trigger(TRIAGE, REFERRALS, "ev-1", b"ep", b"{}", "dlq:1:90") == first
    assert dead_letter_trigger(TRIAGE, REFERRALS, "ev-1", b"ep", b'{"changed": 1}', "dlq:0:4") == first, "by its id"
    assert dead_letter_trigger(TRIAGE, REFERRALS, "ev-2", b"ep", b"{}", "dlq:0:3") != first
    assert dead_letter_trigger("carerelay-scheduling", REFERRALS, "ev-1", b"ep", b"{}", "dlq:0:5") != first, "per consumer"
    assert dead_letter_trigger(TRIAGE, "carerelay.visit.v1", "ev-1", b"ep", b"{}", "dlq:0:5") != first


def test_a_record_without_an_id_is_known_by_its_bytes_and_one_without_bytes_by_its_place() -> None:
    bad = dead_letter_trigger(TRIAGE, REFERRALS, None, b"ep", b"{not json", "dlq:0:1")
    assert dead_letter_trigger(TRIAGE, REFERRALS, "", b"ep", b"{not json", "dlq:0:9") == bad
    assert dead_letter_trigger(TRIAGE, REFERRALS, None, b"ep", b"{not json!", "dlq:0:9") != bad
    assert dead_letter_trigger(TRIAGE, REFERRALS, None, b"e", b"p{not json", "dlq:0:9") != bad, "key and value kept apart"
    assert dead_letter_trigger(TRIAGE, REFERRALS, None, None, None, "dlq:0:7").endswith("at:dlq:0:7")


def test_a_trigger_id_is_never_longer_than_the_contract_allows() -> None:
    trigger = dead_letter_trigger("c" * 150, "t" * 150, "e" * 150, None, None, "dlq:0:0")
    assert len(trigger) <= MAX_TRIGGER_LENGTH
    assert trigger == dead_letter_trigger("c" * 150, "t" * 150, "e" * 150, b"other", b"bytes", "dlq:9:9")

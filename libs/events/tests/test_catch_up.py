"""The backlog a restarted worker must process before its clocks judge a deadline (catch_up.py)."""

from __future__ import annotations

from aiokafka import TopicPartition

from carerelay_events.catch_up import backlog_of

A, B, C = TopicPartition("visit", 0), TopicPartition("visit", 1), TopicPartition("referral", 0)


def test_the_backlog_is_what_lies_past_the_groups_committed_offset() -> None:
    backlog = backlog_of(beginnings={A: 0, B: 0, C: 0}, ends={A: 10, B: 4, C: 7}, committed={A: 10, B: 1})
    assert backlog.ends == {B: 4, C: 7}  # A was all processed; C never committed, so all of it waits
    assert backlog.left({A: 10, B: 1}) == 3 + 7


def test_an_empty_or_expired_partition_is_no_backlog() -> None:
    backlog = backlog_of(beginnings={A: 0, B: 50}, ends={A: 0, B: 50}, committed={})
    assert backlog.ends == {}
    assert backlog.left({}) == 0


def test_the_group_has_caught_up_when_it_committed_past_every_end_seen_at_start() -> None:
    backlog = backlog_of(beginnings={A: 0, B: 0}, ends={A: 10, B: 4}, committed={A: 2})
    assert backlog.left({A: 9, B: 4}) == 1
    assert backlog.left({A: 10, B: 4}) == 0
    assert backlog.left({A: 25, B: 30}) == 0  # records that came later are not waited for

"""Which outbox rows the relay may publish now without breaking `seq` order (pure: no I/O).

`seq` is drawn when a row is inserted, not when its transaction commits, so a row can become
visible after rows with higher `seq` (a re-plan holding its transaction open while it solves). The
relay walks `seq` upwards from its watermark, every `seq` at or below which is settled: a row it
can see (published, set aside or pending), or a number no row will ever have. A number it cannot
see is a gap: either a transaction still running will commit a row there, or none will (a rollback,
a failed insert). The relay stops at a gap until every transaction of the database that was running
when the gap was first seen has ended (`Outbox.add` gives its transaction an id before drawing
`seq`, so whoever holds a gap number was among them); the rows above it wait, then go in order.

This is sound where a horizon over transaction ids (publish rows whose writer is older than every
running transaction) is not: a transaction that got its id early but drew its `seq` late would pass
that test while a younger transaction holding a lower `seq` is still open. And it looks at this
database's transactions only, so a long transaction of another service on the same server (a
re-plan) delays nobody else's events; a gap waits only for this database's transactions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SeenRow:
    """A row the relay's snapshot shows at or below the sequence's last value: its `seq`, and
    whether it still has to go (neither published nor set aside)."""

    seq: int
    pending: bool


@dataclass
class _Gap:
    first: int
    last: int
    running_then: frozenset[str]
    """The transactions of the database running when the gap was first seen (any may hold it)."""


@dataclass(frozen=True)
class Release:
    """What the relay may publish now, in order, and whether a gap holds back later rows."""

    seqs: list[int]
    held_at: int | None


class PublicationOrder:
    """The relay's watermark and the gaps it waits on, kept in memory (after a restart the relay
    starts again from the highest settled row and sees every gap afresh: it may wait longer, never
    less)."""

    def __init__(self, watermark: int) -> None:
        self.watermark = watermark
        self._gaps: list[_Gap] = []

    def release(self, seen: Sequence[SeenRow], running: Iterable[str]) -> Release:
        """The pending rows of `seen` (sorted by seq: every pending row at or below the watermark, and
        every row above it, up to the sequence's last value read before `running`) that may go now.
        `running`: the ids of this database's transactions still running, read before `seen`."""
        now_running = frozenset(running)
        released: list[int] = []
        watermark = self.watermark
        for row in seen:
            if row.seq <= watermark:
                if row.pending:
                    released.append(row.seq)
                continue
            if row.seq > watermark + 1 and not self._closed(watermark + 1, row.seq - 1, now_running):
                self._forget_below(watermark)
                self.watermark = watermark
                return Release(released, held_at=watermark + 1)
            watermark = row.seq
            if row.pending:
                released.append(row.seq)
        self._forget_below(watermark)
        self.watermark = watermark
        return Release(released, held_at=None)

    def _closed(self, first: int, last: int, running: frozenset[str]) -> bool:
        """Whether no row can appear any more between `first` and `last`: every transaction that
        was running when any part of the gap was first seen has ended since."""
        overlapping = [gap for gap in self._gaps if gap.first <= last and gap.last >= first]
        if not overlapping or min(gap.first for gap in overlapping) > first or not self._covered(first, last, overlapping):
            self._gaps.append(_Gap(first, last, running))
            overlapping.append(self._gaps[-1])
        return all(not (gap.running_then & running) for gap in overlapping)

    @staticmethod
    def _covered(first: int, last: int, gaps: list[_Gap]) -> bool:
        reach = first - 1
        for gap in sorted(gaps, key=lambda g: g.first):
            if gap.first > reach + 1:
                return False
            reach = max(reach, gap.last)
        return reach >= last

    def _forget_below(self, watermark: int) -> None:
        self._gaps = [gap for gap in self._gaps if gap.last > watermark]

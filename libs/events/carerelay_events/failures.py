"""What kind of failure an error is, and how long to wait before trying again.

A **transient** failure is the world, not the message: the broker or the database is away, busy,
restarting, failing over, or a deploy has not applied its migration yet. Trying the same message
again later will work, so it is retried for ever and never dead-lettered. Everything else raised
while handling a message is treated as a **bug** in the handler (or in the message): retried a few
times, in case it is a race, then dead-lettered with the reason.

Errors are classified by what they are: their class and, for PostgreSQL, their SQLSTATE, so an
error asyncpg has no class of its own for (a newer server's code) is still recognised by its class
of codes.
"""

from __future__ import annotations

import random
from enum import StrEnum

import asyncpg
from aiokafka.errors import KafkaError


class FailureKind(StrEnum):
    TRANSIENT = "transient"
    HANDLER = "handler"


TRANSIENT_SQLSTATE_CLASSES = frozenset(
    {
        "08",  # connection exception
        "40",  # transaction rollback: serialization failure, deadlock
        "53",  # insufficient resources: too many connections, disk full, out of memory
        "57",  # operator intervention: admin or crash shutdown, cannot connect now, query cancelled
    }
)
TRANSIENT_SQLSTATES = frozenset(
    {
        "55P03",  # lock_not_available: a lock timeout, or NOWAIT
        "25006",  # read_only_sql_transaction: connected to a standby during a failover
        "42P01",  # undefined_table: a deploy whose migration is not applied yet
        "42703",  # undefined_column: the same
    }
)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    KafkaError,
    asyncpg.PostgresConnectionError,  # 08
    asyncpg.exceptions.TransactionRollbackError,  # 40
    asyncpg.exceptions.InsufficientResourcesError,  # 53
    asyncpg.exceptions.OperatorInterventionError,  # 57
    asyncpg.exceptions.LockNotAvailableError,
    asyncpg.exceptions.ReadOnlySQLTransactionError,
    asyncpg.exceptions.UndefinedTableError,
    asyncpg.exceptions.UndefinedColumnError,
)
"""The classes every instance of which is transient. `is_transient` also looks at SQLSTATEs and causes."""

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (*TRANSIENT_ERRORS, asyncpg.InterfaceError)
"""For background loops that retry by `except` clause (the re-planner, the delivery worker): the
transient classes plus asyncpg's client-side InterfaceError (mostly "connection is closed"). The
consumer's processor uses `is_transient`, which tells a closed connection from a misuse."""


def is_transient(error: BaseException) -> bool:
    """True when trying the same thing again later can succeed without anyone changing the code."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _transient_itself(current):
            return True
        current = current.__cause__  # `raise Wrapper(...) from outage`: the wrapper is the outage
    return False


def _transient_itself(error: BaseException) -> bool:
    if isinstance(error, TRANSIENT_ERRORS):
        return True
    if isinstance(error, asyncpg.PostgresError):
        sqlstate = str(getattr(error, "sqlstate", "") or "")
        return sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES or sqlstate in TRANSIENT_SQLSTATES
    if isinstance(error, asyncpg.InternalClientError):
        # asyncpg's protocol left mid-operation by a connection the server ended (a PostgreSQL restart
        # during a commit: "cannot switch to state 15; another operation is in progress"); the pool
        # gives the next try a new connection. The transaction did not commit.
        return True
    if isinstance(error, asyncpg.InterfaceError):
        # The connection was lost under the handler ("connection is closed"); any other InterfaceError
        # is the code misusing a connection (e.g. two queries at once on it), which retrying won't fix.
        return "closed" in str(error)
    return False


def kind_of(error: BaseException) -> FailureKind:
    return FailureKind.TRANSIENT if is_transient(error) else FailureKind.HANDLER


def backoff_seconds(attempt: int, first: float, cap: float, rng: random.Random | None = None) -> float:
    """How long to wait after the `attempt`-th failure in a row (1 for the first): exponential from
    `first`, capped at `cap`, with "equal jitter" (a random point in the upper half of the step), so
    the consumers of a restarted database do not all come back in the same instant."""
    step = min(cap, first * 2.0 ** min(attempt - 1, 62))
    jitter: float = (rng or random).uniform(0, step / 2)
    return step / 2 + jitter

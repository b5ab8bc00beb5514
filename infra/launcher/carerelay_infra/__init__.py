"""Local infrastructure launcher for CareRelay (Kafka broker + PostgreSQL).

Standard library only: it runs with plain ``python3`` before the project venv exists.
Run it as ``PYTHONPATH=infra/launcher python3 -m carerelay_infra up|down|status``.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path


class InfraError(RuntimeError):
    """A local service could not be started or stopped.

    ``str(error)`` is a one-line reason; ``details`` holds optional extra lines
    (typically the tail of the service log).
    """

    def __init__(self, reason: str, details: str = "") -> None:
        super().__init__(reason)
        self.details = details


def accepts_tcp(host: str, port: int, timeout: float = 1.0) -> bool:
    """Return True if something accepts a TCP connection on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int = 20, *, skip_indented: bool = False) -> str:
    """Return the last ``lines`` lines of the text file at ``path`` ("" if unreadable).

    With ``skip_indented``, tab-indented lines (Java stack frames, config dumps) are left out.
    """
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            kept = [line for line in handle if not (skip_indented and line.startswith("\t"))]
    except OSError:
        return ""
    return "".join(kept[-lines:]).rstrip()


def env_int(name: str, default: int) -> int:
    """The integer in environment variable ``name``, or ``default`` when it is unset or blank."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InfraError(f"{name} must be an integer, got {raw!r}") from None

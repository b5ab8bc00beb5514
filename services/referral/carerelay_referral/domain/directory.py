"""The GP practice directory: which practice codes the hub accepts, and finding a practice by code
or name as a call handler types. (Reading the directory file: `store.directory`.)"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Practice:
    code: str
    name: str
    postcode: str


@dataclass(frozen=True)
class PracticeDirectory:
    """The practices the hub knows, by ODS code."""

    practices: Mapping[str, Practice]

    def __contains__(self, code: object) -> bool:
        return code in self.practices

    def search(self, text: str, limit: int = 20) -> list[Practice]:
        """Practices whose code or name holds `text` (any case): codes that start with it first,
        then by name; at most `limit`."""
        needle = text.strip().lower()
        found = [p for p in self.practices.values() if needle in p.code.lower() or needle in p.name.lower()]
        return sorted(found, key=lambda p: (not p.code.lower().startswith(needle), p.name))[:limit]

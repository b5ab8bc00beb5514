"""The rules file at the edge: the only place triage reads it. A versioned YAML file that a clinical
lead can read and change (see RULES.md); `domain.rules.parse` checks its text, all of it, before
anything uses it, so the service refuses to start on a bad file and says why.

Check a file without starting anything::

    python -m carerelay_triage.rules check [path]      # "ok: version X, N rules", or the problems and exit 1
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .domain.rules.model import RulesError, TriageRules
from .domain.rules.parse import parse_rules

DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "triage-rules.yaml"
"""The rules the service uses unless `CARERELAY_TRIAGE_RULES_FILE` names another file."""


def load_rules(path: Path) -> TriageRules:
    """Read and check a rules file. Raises `RulesError` listing every problem, one per line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise RulesError(f"{path}: cannot read the rules file: {error.strerror or error}") from None
    return parse_rules(text, source=str(path))


def main(argv: Sequence[str] | None = None) -> int:
    """`check [path]`: print "ok: version X, N rules" (exit 0), or every problem (exit 1)."""
    parser = argparse.ArgumentParser(prog="python -m carerelay_triage.rules", description="Check a triage rules file.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a rules file, as the service does at start-up")
    check.add_argument("path", nargs="?", type=Path, default=DEFAULT_RULES_FILE, help=f"default: {DEFAULT_RULES_FILE}")
    arguments = parser.parse_args(argv)
    try:
        rules = load_rules(arguments.path)
    except RulesError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"ok: version {rules.version}, {rules.rule_count} rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())

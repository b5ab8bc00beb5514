"""`python -m carerelay_stack run` (what `make run` runs) and `python -m carerelay_stack stop` (`make stop`,
before the infra launcher's `down`)."""

from __future__ import annotations

import sys

from .run import main, stop

if __name__ == "__main__":
    command = sys.argv[1:2]
    if command not in (["run"], ["stop"], []):
        print("usage: python -m carerelay_stack run|stop", file=sys.stderr)
        sys.exit(2)
    sys.exit(stop() if command == ["stop"] else main())

"""`python -m carerelay_stack run`."""

from __future__ import annotations

import sys

from .run import main

if __name__ == "__main__":
    if sys.argv[1:2] not in (["run"], []):
        print("usage: python -m carerelay_stack run", file=sys.stderr)
        sys.exit(2)
    sys.exit(main())

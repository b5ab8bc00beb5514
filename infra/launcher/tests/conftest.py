"""The launcher is not installed in the venv (it runs with plain python3 before the venv exists):
its tests import it from infra/launcher, as the Makefile does with PYTHONPATH."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

"""Well-known filesystem locations used by the launcher.

The repo root is derived from this file's location (``<repo>/infra/launcher/carerelay_infra``);
the data dir defaults to ``<repo>/.data`` and is overridden by env ``CARERELAY_DATA_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parents[3]
"""Repository root (three levels above this file, i.e. two above the package folder)."""

KAFKA_HOME: Path = REPO_ROOT / "infra" / "kafka"
"""Folder holding ``pom.xml``, ``log4j2.properties`` and (after fetching) ``target/lib``."""


def data_dir() -> Path:
    """Root of all local runtime state: ``$CARERELAY_DATA_DIR`` or ``<repo>/.data`` (absolute)."""
    override = os.environ.get("CARERELAY_DATA_DIR")
    return Path(override).resolve() if override else REPO_ROOT / ".data"


def kafka_data_dir() -> Path:
    """Kafka broker state (config, pid, logs, partitions): ``<data>/kafka``."""
    return data_dir() / "kafka"


def postgres_data_dir() -> Path:
    """PostgreSQL state (``pgdata``, log, socket dir): ``<data>/postgres``."""
    return data_dir() / "postgres"


def kafka_cluster_dir() -> Path:
    """The three-broker cluster's state (``cluster.id``, ``broker-<n>/``): ``<data>/kafka-cluster``."""
    return data_dir() / "kafka-cluster"

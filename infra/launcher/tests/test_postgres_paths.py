"""The server user reaches a data dir under a private folder (a checkout in `mktemp -d`), with search
permission only: nothing becomes listable or readable by others."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from carerelay_infra.postgres_server import _let_server_user_through


def test_private_folders_on_the_way_get_search_permission_and_nothing_more(tmp_path: Path) -> None:
    private = tmp_path / "private"
    data = private / "checkout" / ".data"
    data.mkdir(parents=True)
    private.chmod(0o700)
    (private / "checkout").chmod(0o750)
    _let_server_user_through(data, server_uid=os.geteuid() + 12345, top=private)
    assert stat.S_IMODE(private.stat().st_mode) == 0o701
    assert stat.S_IMODE((private / "checkout").stat().st_mode) == 0o751
    assert not private.stat().st_mode & stat.S_IROTH


def test_folders_already_passable_or_the_servers_own_are_left_alone(tmp_path: Path) -> None:
    open_folder = tmp_path / "open"
    open_folder.mkdir()
    open_folder.chmod(0o755)
    own = open_folder / "own"
    own.mkdir()
    own.chmod(0o700)
    _let_server_user_through(own, server_uid=own.stat().st_uid, top=open_folder)
    assert stat.S_IMODE(open_folder.stat().st_mode) == 0o755
    assert stat.S_IMODE(own.stat().st_mode) == 0o700

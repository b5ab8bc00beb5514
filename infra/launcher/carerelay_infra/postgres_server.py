"""Local PostgreSQL (>= 15) server run from the Debian binaries in ``/usr/lib/postgresql/*/bin``.

Layout of ``data_dir`` (owned by the ``postgres`` OS user when we are root): ``pgdata/``
(cluster, created once by initdb), ``postgres.log`` (server log), ``run/`` (unix socket).
The server refuses to run as root, so as root every server command runs via
``runuser -u postgres --``.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from carerelay_infra import InfraError, accepts_tcp, tail

MIN_VERSION = 15
SERVER_USER = "postgres"
START_TIMEOUT_S = 60


def bin_dir() -> Path:
    """Return the bin dir of the highest installed PostgreSQL major version >= ``MIN_VERSION``."""
    found: list[tuple[int, Path]] = []
    for candidate in Path("/usr/lib/postgresql").glob("*/bin"):
        version = candidate.parent.name
        if version.isdigit() and int(version) >= MIN_VERSION and (candidate / "pg_ctl").exists():
            found.append((int(version), candidate))
    if not found:
        raise InfraError(f"no PostgreSQL >= {MIN_VERSION} found under /usr/lib/postgresql/*/bin")
    return max(found)[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser is None:
        raise InfraError("running as root but 'runuser' is not available to drop to 'postgres'")
    return [runuser, "-u", SERVER_USER, "--", *cmd]


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_server_user(cmd),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        start_new_session=True,
    )


def _make_dir(path: Path) -> None:
    """Create ``path`` and, when root, hand it to the server user."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        user = pwd.getpwnam(SERVER_USER)
        os.chown(path, user.pw_uid, user.pw_gid)
        _let_server_user_through(path.parent, user.pw_uid)


def _let_server_user_through(path: Path, server_uid: int, top: Path = Path("/")) -> None:
    """The server user must be able to reach its data dir: a checkout under a private folder (e.g.
    one made by `mktemp -d`, mode 0700) would stop it at the first step. Add search permission only
    (o+x: pass through, never list or read) to the folders on the way that lack it."""
    for folder in [path, *path.parents]:
        if not folder.is_relative_to(top):
            break
        mode = folder.stat()
        if mode.st_uid == server_uid or mode.st_mode & stat.S_IXOTH:
            continue
        folder.chmod(mode.st_mode | stat.S_IXOTH)


def _initdb(data_dir: Path, superuser: str, password: str) -> None:
    pgdata = data_dir / "pgdata"
    fd, pwfile = tempfile.mkstemp(dir=data_dir, prefix=".pwfile-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(password + "\n")
        if os.geteuid() == 0:
            user = pwd.getpwnam(SERVER_USER)
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        result: subprocess.CompletedProcess[str] | None = None
        for locale in ("C.UTF-8", "C"):
            cmd = [
                str(bin_dir() / "initdb"),
                "-D", str(pgdata),
                "-U", superuser,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                f"--pwfile={pwfile}",
                "-E", "UTF8",
                f"--locale={locale}",
            ]  # fmt: skip
            result = _run(cmd, cwd=data_dir)
            if result.returncode == 0:
                return
            shutil.rmtree(pgdata, ignore_errors=True)
        assert result is not None
        raise InfraError(
            f"initdb failed (exit {result.returncode})",
            (result.stdout + result.stderr).strip(),
        )
    finally:
        os.unlink(pwfile)


def ensure_running(
    data_dir: Path,
    host: str = "127.0.0.1",
    port: int = 55432,
    superuser: str = "carerelay",
    password: str = "carerelay",
) -> None:
    """Make sure PostgreSQL serves ``host:port``.

    Reuses whatever already accepts TCP there. Otherwise creates the cluster in
    ``data_dir/pgdata`` if missing (``superuser``/``password``, scram over TCP, trust on the
    socket), starts it with ``pg_ctl -w`` and waits until TCP is accepted. Raises InfraError.
    """
    if accepts_tcp(host, port):
        return
    data_dir = data_dir.resolve()
    _make_dir(data_dir)
    _make_dir(data_dir / "run")
    if not (data_dir / "pgdata").exists():
        _initdb(data_dir, superuser, password)

    log = data_dir / "postgres.log"
    options = [
        f"listen_addresses={host}",
        f"port={port}",
        f"unix_socket_directories={data_dir / 'run'}",
        "max_connections=200",
        "shared_buffers=128MB",
        "fsync=on",
    ]
    cmd = [
        str(bin_dir() / "pg_ctl"),
        "-D", str(data_dir / "pgdata"),
        "-l", str(log),
        "-o", " ".join(f"-c {shlex.quote(option)}" for option in options),
        "-t", str(START_TIMEOUT_S),
        "-w",
        "start",
    ]  # fmt: skip
    result = _run(cmd, cwd=data_dir)
    if result.returncode != 0:
        raise InfraError(
            f"pg_ctl start failed (exit {result.returncode})",
            f"{(result.stdout + result.stderr).strip()}\n--- postgres.log ---\n{tail(log)}",
        )
    deadline = time.monotonic() + 10
    while not accepts_tcp(host, port):
        if time.monotonic() > deadline:
            raise InfraError(f"PostgreSQL started but {host}:{port} is not accepting", tail(log))
        time.sleep(0.2)


def is_running(data_dir: Path) -> bool:
    """Return True if ``pg_ctl status`` reports a server for ``data_dir/pgdata``."""
    data_dir = data_dir.resolve()
    pgdata = data_dir / "pgdata"
    if not (pgdata / "postmaster.pid").exists():
        return False
    return _run([str(bin_dir() / "pg_ctl"), "-D", str(pgdata), "status"], cwd=data_dir).returncode == 0


def stop(data_dir: Path) -> bool:
    """Stop the server for ``data_dir/pgdata`` (fast mode). Returns False if it was not running."""
    data_dir = data_dir.resolve()
    if not is_running(data_dir):
        return False
    cmd = [str(bin_dir() / "pg_ctl"), "-D", str(data_dir / "pgdata"), "-m", "fast", "-w", "stop"]
    result = _run(cmd, cwd=data_dir)
    if result.returncode != 0:
        raise InfraError(
            f"pg_ctl stop failed (exit {result.returncode})",
            (result.stdout + result.stderr).strip(),
        )
    return True

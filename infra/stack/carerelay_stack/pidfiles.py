"""The processes `make run` started, recorded in `<data dir>/run/` so that `make stop` (another process,
often another terminal) can find exactly those, stop them in order and wait until their ports are
free, without matching command lines.

One JSON file per process: `supervisor.json` for `python -m carerelay_stack run` itself, and
`<name>.json` for each process it started (issuer, mailbox, the four services, the web origin), each
the leader of its own process group (`start_new_session`), so the group is what is stopped. A record
holds the pid, the process's start time (field 22 of `/proc/<pid>/stat`: a recycled pid is never
taken for ours), the ports it listens on and the order it was started in (stopped in reverse).

Standard library only; Linux (`/proc`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

SUPERVISOR = "supervisor"
"""The record of `python -m carerelay_stack run` itself."""


@dataclass(frozen=True)
class ProcessRecord:
    name: str
    pid: int
    started: int
    """The process's start time, in clock ticks after boot (`/proc/<pid>/stat`)."""
    ports: tuple[int, ...] = ()
    order: int = 0


def run_dir(data_dir: Path) -> Path:
    return data_dir / "run"


def _stat(pid: int) -> list[str] | None:
    """The fields of `/proc/<pid>/stat` after the command name (state first), or None if no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    return text.rsplit(")", 1)[1].split()


def start_time(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[19]) if fields else None


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (a zombie holds no ports and runs no code)."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def is_running(record: ProcessRecord) -> bool:
    """True if the recorded process is still the one that was recorded, and has not exited."""
    return start_time(record.pid) == record.started and _alive(record.pid)


def group_members(pgid: int) -> list[int]:
    """The live (not zombie) processes of process group `pgid`."""
    members = []
    for entry in Path("/proc").iterdir():
        fields = _stat(int(entry.name)) if entry.name.isdigit() else None
        if fields is not None and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def write(data_dir: Path, name: str, pid: int, ports: Iterable[int] = (), order: int = 0) -> ProcessRecord:
    """Record a process just started (written whole, then renamed: a reader never sees half a file)."""
    started = start_time(pid)
    if started is None:
        raise ProcessLookupError(f"{name} (pid {pid}) exited before it could be recorded")
    record = ProcessRecord(name, pid, started, tuple(ports), order)
    directory = run_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{name}.json.partial"
    partial.write_text(json.dumps(asdict(record)))
    partial.replace(directory / f"{name}.json")
    return record


def read(data_dir: Path, name: str) -> ProcessRecord | None:
    try:
        fields = json.loads((run_dir(data_dir) / f"{name}.json").read_text())
        return ProcessRecord(
            fields["name"], int(fields["pid"]), int(fields["started"]), tuple(fields["ports"]), int(fields["order"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def started_processes(data_dir: Path) -> list[ProcessRecord]:
    """The recorded processes other than the supervisor, in the order they were started."""
    found = [read(data_dir, path.stem) for path in sorted(run_dir(data_dir).glob("*.json")) if path.stem != SUPERVISOR]
    return sorted((record for record in found if record is not None), key=lambda record: record.order)


def forget(data_dir: Path, name: str) -> None:
    (run_dir(data_dir) / f"{name}.json").unlink(missing_ok=True)


def wait_until_exited(record: ProcessRecord, timeout: float) -> bool:
    """Wait for the recorded process to exit; False if it is still running after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while is_running(record):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _wait_group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while group_members(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop_group(pgid: int, timeout: float = 20.0) -> None:
    """SIGTERM every process of group `pgid` and wait until none is left; SIGKILL whatever is after `timeout`.

    The caller has checked that the group is ours (its leader is the recorded process, or our child).
    """
    if not group_members(pgid):
        return
    _signal_group(pgid, signal.SIGTERM)
    if not _wait_group_gone(pgid, timeout):
        _signal_group(pgid, signal.SIGKILL)
        _wait_group_gone(pgid, 10.0)


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if a server could listen on `host:port` now (as uvicorn and nginx do, with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def wait_ports_free(ports: Iterable[int], timeout: float = 10.0) -> list[int]:
    """Wait until every port is free; return those still taken after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    busy = sorted(set(ports))
    while busy := [port for port in busy if not port_free(port)]:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return busy


def stop_recorded(data_dir: Path, timeout: float = 20.0) -> list[str]:
    """Stop every recorded process that is still running, latest started first, and forget them all.

    Returns the names of those stopped. Used for what a supervisor left behind (it was killed).
    """
    stopped = []
    for record in reversed(started_processes(data_dir)):
        if is_running(record):
            stop_group(record.pid, timeout)
            stopped.append(record.name)
        elif group_members(record.pid) and start_time(record.pid) is None:
            # The leader has gone but left members of its group: they are ours (a pid in use as a
            # group id is never given to a new process).
            stop_group(record.pid, timeout)
            stopped.append(record.name)
        forget(data_dir, record.name)
    return stopped


def stop_run(data_dir: Path, timeout: float = 180.0) -> tuple[list[str], list[int]]:
    """What `make stop` does before the infra launcher's `down`: stop the `make run` recorded in
    `data_dir` and wait until every port it recorded is free. Safe when nothing runs.

    The supervisor is asked to stop (SIGTERM) and does it itself, in order: the web origin, the
    services, the mailbox, the issuer, each waited for until its group has exited and its ports are
    free, then the broker and the database. Only once the supervisor has exited (SIGKILL after
    `timeout`) are the processes it did not stop (because it was killed) stopped here, so the two
    never race. Returns the names stopped here or by the supervisor, and the ports still taken.
    """
    ports = [port for record in started_processes(data_dir) for port in record.ports]
    stopped = []
    supervisor = read(data_dir, SUPERVISOR)
    if supervisor is not None and is_running(supervisor):
        with contextlib.suppress(ProcessLookupError):  # it may exit on its own meanwhile
            os.kill(supervisor.pid, signal.SIGTERM)
            if not wait_until_exited(supervisor, timeout):
                os.kill(supervisor.pid, signal.SIGKILL)
                wait_until_exited(supervisor, 10.0)
        stopped.append("make run")
    forget(data_dir, SUPERVISOR)
    stopped += stop_recorded(data_dir)
    return stopped, wait_ports_free(ports)

"""The four services (and the issuer, the mailbox, the web origin) as child processes: started with
their settings in the environment, each the leader of its own process group, watched through
`/health`, stopped as a group with SIGTERM (then SIGKILL) and waited for until their ports are free.
The tests use the same class."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from . import pidfiles


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    health_path: str = "/health"
    command: list[str] | None = None
    """What to run; by default `python -m carerelay_<name>`."""
    extra_ports: tuple[int, ...] = ()
    """Other ports it listens on (the mailbox's SMTP port), freed before `stop` returns."""
    cwd: Path | None = None
    """Its working directory (faust keeps its `<app>-data` folder there); by default ours."""
    health_port: int | None = None
    """Where `health_path` answers, when not on `port` (Jaeger's health check has a port of its own)."""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def ports(self) -> tuple[int, ...]:
        return (self.port, *self.extra_ports)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command or [sys.executable, "-m", f"carerelay_{self.name}"],
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.cwd,
            start_new_session=True,
        )
        log.close()

    def wait_healthy(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}\n{self.tail()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.health_port or self.port}{self.health_path}", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"{self.name} not healthy after {timeout:.0f}s; see {self.log_path}\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 20.0, ports_timeout: float = 10.0) -> list[int]:
        """SIGTERM its process group and wait until every process of it has exited (a clean stop;
        SIGKILL after `timeout`), then until its ports are free. Returns the ports still taken."""
        if self.process is None:
            return []
        if self.process.returncode is None:  # not reaped yet, so its pid (the group's id) is still ours
            pidfiles.stop_group(self.process.pid, timeout)
            self.process.wait(10)
        return pidfiles.wait_ports_free(self.ports, ports_timeout)

    def kill(self) -> None:
        """SIGKILL: the process dies wherever it is, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

"""A local mailbox for the demo: a real SMTP server (aiosmtpd) that the notifications service sends
its emails to, keeping each one as a file in `.data/mail/`, and a small page listing them
(http://127.0.0.1:8026/) so a newcomer can see who was told what. Local use only: it accepts mail
for anyone and keeps it in plain files.

Run as `python -m carerelay_stack.mailbox <mail dir> <smtp port> <http port>`.
"""

from __future__ import annotations

import html
import signal
import sys
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class KeepInFiles:
    """aiosmtpd handler: each message accepted is written to its own .eml file, in arrival order."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        with self.lock:
            number = len(list(self.directory.glob("*.eml"))) + 1
            (self.directory / f"{number:05d}.eml").write_bytes(content)
        return "250 kept"


def listing(directory: Path) -> str:
    rows = []
    for path in sorted(directory.glob("*.eml"), reverse=True)[:200]:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(value))}</td>"
                for value in (message.get("Date", ""), message.get("To", ""), message.get("Subject", ""), str(text)[:400])
            )
            + "</tr>"
        )
    return (
        "<!doctype html><html lang='en-GB'><meta charset='utf-8'><title>CareRelay demo mailbox</title>"
        "<h1>Demo mailbox</h1><p>Emails the notifications service sent, newest first.</p>"
        "<table border='1' cellpadding='4'><tr><th>Date</th><th>To</th><th>Subject</th><th>Text</th></tr>"
        + "".join(rows)
        + "</table></html>"
    )


def page_server(directory: Path, port: int) -> ThreadingHTTPServer:
    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"ok" if self.path == "/health" else listing(directory).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain" if self.path == "/health" else "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return ThreadingHTTPServer(("127.0.0.1", port), Page)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM (`make stop`) stops it as cleanly as Ctrl-C


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    directory, smtp_port, http_port = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(KeepInFiles(directory), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    server = page_server(directory, http_port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"demo mailbox: SMTP 127.0.0.1:{smtp_port}, page http://127.0.0.1:{http_port}/, files in {directory}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        server.shutdown()
        controller.stop()


if __name__ == "__main__":
    raise SystemExit(main())

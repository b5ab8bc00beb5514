"""`python -m carerelay_triage`: run the triage faust worker."""

from __future__ import annotations

from carerelay_events.logs import configure_logging
from carerelay_events.tracing import configure_tracing

from .app import create_app


def main() -> None:
    configure_logging("triage")
    configure_tracing("triage")
    app = create_app()
    from faust.worker import Worker

    Worker(app, loglevel="WARNING").execute_from_commandline()


if __name__ == "__main__":
    main()

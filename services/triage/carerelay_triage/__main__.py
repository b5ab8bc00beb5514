"""`python -m carerelay_triage`: run the triage faust worker."""

from __future__ import annotations

from carerelay_events.tracing import configure_tracing
from carerelay_service.logs import configure_logging

from .app import create_app
from .settings import TriageSettings


def main() -> None:
    import mode.loop

    mode.loop.use("uvloop")  # faust's worker (and the API's uvicorn inside it) on uvloop, as every other service
    configure_logging("triage")
    settings = TriageSettings()
    configure_tracing("triage", settings.tracing)
    app = create_app(settings)
    from faust.worker import Worker

    Worker(app, loglevel="WARNING").execute_from_commandline()


if __name__ == "__main__":
    main()

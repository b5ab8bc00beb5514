"""`python -m carerelay_issuer`: serve the development OpenID Connect issuer."""

from __future__ import annotations

import logging

import uvicorn

from .app import create_app
from .settings import IssuerSettings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = IssuerSettings()
    app = create_app(settings)
    logging.getLogger("carerelay_issuer").info(
        "issuer %s (audience %s, key %s): sign in at %s/authorize",
        settings.public_url,
        settings.audience,
        app.state.issuer.key.kid,
        settings.public_url,
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    main()

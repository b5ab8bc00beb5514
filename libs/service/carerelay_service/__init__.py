"""The FastAPI service kit every CareRelay service is built with: settings read once, the app
factory (migrations, the event runtime, request spans, /health, /metrics), typed dependencies,
problem bodies, idempotent requests, logging. See libs/service/README.md."""

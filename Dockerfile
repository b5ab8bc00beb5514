# One image for all four CareRelay services; docker-compose.yml picks the service with its command,
# e.g. `python -m carerelay_referral`. No secrets are baked in: everything comes from the environment.
FROM python:3.11-slim

# FAUST_DATADIR: where faust (triage) keeps its local state; its default, ./carerelay-triage-data,
# would be under /app, which the service user cannot write.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FAUST_DATADIR=/home/carerelay/triage-data

WORKDIR /app

# The pinned dependencies first, so this layer is reused while only the code changes.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# Then the project's own packages. Editable installs, as `make venv` does: the services find their
# migrations/ folders (and libs/contract its schemas/) next to their source.
COPY libs/clinical libs/clinical
COPY libs/contract libs/contract
COPY libs/events libs/events
COPY libs/service libs/service
COPY libs/access libs/access
COPY services/referral services/referral
COPY services/triage services/triage
COPY services/scheduling services/scheduling
COPY services/notifications services/notifications
RUN pip install --no-deps \
        -e libs/clinical \
        -e libs/contract \
        -e libs/events \
        -e libs/service \
        -e libs/access \
        -e services/referral \
        -e services/triage \
        -e services/scheduling \
        -e services/notifications

RUN useradd --create-home --uid 10001 --user-group carerelay
USER carerelay

# referral, triage, scheduling, notifications
EXPOSE 8101 8102 8103 8104

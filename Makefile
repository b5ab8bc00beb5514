# CareRelay. `make run` brings the whole system up with demo data; `make test` runs every test.
# Both start Kafka (KRaft, jars from Maven Central) and PostgreSQL locally if they are not reachable.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INFRA := PYTHONPATH=infra/launcher $(PYTHON) -m carerelay_infra
PACKAGES := libs/events libs/access services/referral services/triage services/scheduling services/notifications infra/stack infra/issuer
PYTEST_ARGS ?=

.PHONY: run test stop infra-up infra-down status lint schemas venv clean

run: venv infra-up
	$(PY) -m carerelay_stack run

test: venv infra-up lint
	$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$status

stop:
	-pkill -TERM -f 'carerelay_stack run' || true
	-pkill -TERM -f '\-m carerelay_(referral|triage|scheduling|notifications)' || true
	$(INFRA) down

infra-up:
	$(INFRA) up

infra-down:
	$(INFRA) down

status:
	$(INFRA) status

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	for tests in libs/*/tests services/*/tests infra/*/tests; do [ ! -d $$tests ] || $(VENV)/bin/mypy $$tests || exit 1; done
	$(PY) -m carerelay_events.schemas check

schemas: venv
	$(PY) -m carerelay_events.schemas write

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt $(addsuffix /pyproject.toml,$(PACKAGES))
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps $(addprefix -e ,$(PACKAGES))
	touch $@

clean: stop
	rm -rf $(VENV) .data infra/kafka/target

# CareRelay. `make run` brings the whole system up with demo data; `make test` runs every test.
# Both start Kafka (KRaft, jars from Maven Central) and PostgreSQL locally if they are not reachable.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INFRA := PYTHONPATH=infra/launcher $(PYTHON) -m carerelay_infra
PACKAGES := libs/clinical libs/contract libs/events libs/service libs/access libs/testing services/referral services/triage services/scheduling services/notifications infra/stack infra/issuer
PYTEST_ARGS ?=

WEB := web
WEB_PACKAGES := $(WEB)/shared $(WEB)/hub $(WEB)/clinician
SYSTEM_PACKAGES := nginx-light chromium chromium-driver

# `make run OBSERVE=1` also runs Jaeger and Prometheus (docs/operations.md, "Seeing it"). Jaeger is built
# once from the Go module proxy, at the version pinned in infra/observability/jaeger/go.mod (and go.sum),
# into a cache shared by every checkout; Prometheus is Debian's package. Without OBSERVE, neither is touched.
OBSERVE ?= $(CARERELAY_OBSERVE)
TOOLS_DIR ?= $(HOME)/.cache/carerelay
JAEGER_MODULE := infra/observability/jaeger
JAEGER_VERSION := $(shell awk '$$1 == "github.com/jaegertracing/jaeger" {print $$2}' $(JAEGER_MODULE)/go.mod)
JAEGER_BIN := $(TOOLS_DIR)/jaeger-$(JAEGER_VERSION)/jaeger
OBSERVE_PACKAGES := prometheus

.PHONY: run test test-fault stop infra-up infra-down status cluster-up cluster-down cluster-status lint schemas venv web system-packages k8s-tools observe-tools clean

run: system-packages venv web infra-up $(if $(filter 1 true yes,$(OBSERVE)),observe-tools)
	CARERELAY_OBSERVE=$(if $(filter 1 true yes,$(OBSERVE)),1,0) CARERELAY_JAEGER_BIN=$(JAEGER_BIN) $(PY) -m carerelay_stack run

test: system-packages venv web k8s-tools infra-up lint
	$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$status

# Only the fault suite (tests/fault): its session fixture starts the three-broker cluster (ports 19092-19094,
# <data>/kafka-cluster; the single broker's jars, fetched if missing) and stops it at the end. `make test` runs it too.
test-fault: venv infra-up
	$(PY) -m pytest tests/fault $(PYTEST_ARGS)

# Stops the `make run` recorded in the data dir's pid files (.data/run/, or $$CARERELAY_DATA_DIR/run/) and
# waits until its ports are free, then Kafka and PostgreSQL if this data dir started them. Safe when nothing runs.
stop:
	@status=0; if [ -x $(PY) ]; then $(PY) -m carerelay_stack stop || status=$$?; fi; \
	  $(INFRA) down && exit $$status

infra-up:
	$(INFRA) up

infra-down:
	$(INFRA) down

status:
	$(INFRA) status

# The three-broker KRaft cluster (docs/operations.md, "A three-broker cluster"), beside the single broker.
# One broker at a time: $(INFRA) cluster kill|stop|start <id>.
cluster-up:
	$(INFRA) cluster up

cluster-down:
	$(INFRA) cluster down

cluster-status:
	$(INFRA) cluster status

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	for tests in libs/*/tests services/*/tests infra/*/tests bench/tests; do [ ! -d $$tests ] || $(VENV)/bin/mypy $$tests || exit 1; done
	$(PY) -m carerelay_contract.schemas check

schemas: venv
	$(PY) -m carerelay_contract.schemas write

venv: $(VENV)/.installed

# Debian's nginx (the one web origin) and Chromium with its driver (browser tests). Installed once, as root.
system-packages:
	@command -v nginx >/dev/null && command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  if [ "$$(id -u)" != 0 ]; then echo "install as root: apt-get install -y $(SYSTEM_PACKAGES)" >&2; exit 1; fi; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(SYSTEM_PACKAGES); }

# Jaeger (built from its Go module, pinned by go.mod/go.sum) and Debian's Prometheus (installed as root).
observe-tools: $(JAEGER_BIN)
	@command -v prometheus >/dev/null || { \
	  if [ "$$(id -u)" != 0 ]; then echo "install as root: apt-get install -y $(OBSERVE_PACKAGES)" >&2; exit 1; fi; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(OBSERVE_PACKAGES); }

$(JAEGER_BIN): $(JAEGER_MODULE)/go.mod $(JAEGER_MODULE)/go.sum
	cd $(JAEGER_MODULE) && go build -o $(JAEGER_BIN) github.com/jaegertracing/jaeger/cmd/jaeger

# The front ends: one npm workspace (web/), TypeScript pinned in its one package-lock.json, compiled
# by `tsc -b` (web/shared first, then the hub and the clinician app), then every unit test. One stamp
# a package, in its dist/, all made by the one recipe: a deleted dist/ means a rebuild.
WEB_BUILT := $(addsuffix /dist/.built,$(WEB_PACKAGES))
web: $(WEB_BUILT)

$(WEB_BUILT) &: $(WEB)/package-lock.json $(WEB)/package.json $(wildcard $(WEB)/tsconfig*.json) \
               $(shell find $(WEB_PACKAGES) -name dist -prune -o -name node_modules -prune -o -type f -print 2>/dev/null)
	cd $(WEB) && npm ci --no-audit --no-fund --silent && npx tsc -b && npm test --silent
	touch $(WEB_BUILT)

$(VENV)/.installed: requirements.txt $(addsuffix /pyproject.toml,$(PACKAGES))
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps $(addprefix -e ,$(PACKAGES))
	touch $@

# The Kubernetes manifests' validator (infra/k8s, tests/test_kubernetes_manifests.py): kubeconform built
# from the Go module proxy into .venv/bin, and the Kubernetes JSON schemas of each version in K8S_VERSIONS
# taken from kubernetes-validate's wheel on PyPI (hash-pinned in infra/k8s/requirements-schemas.txt) into
# .venv/k8s-schemas/. Built once (about 25 s on a fresh machine); the test itself then takes a second.
KUBECONFORM_VERSION := v0.8.0
K8S_VERSIONS := 1.30.0 1.37.0
K8S_SCHEMAS := $(VENV)/k8s-schemas
k8s-tools: $(VENV)/.kubeconform-$(KUBECONFORM_VERSION) $(K8S_SCHEMAS)/.extracted

$(VENV)/.kubeconform-$(KUBECONFORM_VERSION): $(VENV)/.installed
	GOBIN=$(abspath $(VENV))/bin go install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION)
	rm -f $(VENV)/.kubeconform-*
	touch $@

$(K8S_SCHEMAS)/.extracted: Makefile infra/k8s/requirements-schemas.txt infra/k8s/schemas.py $(VENV)/.installed
	rm -rf $(K8S_SCHEMAS)
	$(PY) -m pip download --quiet --no-deps --require-hashes -r infra/k8s/requirements-schemas.txt -d $(K8S_SCHEMAS)/wheel
	$(PY) infra/k8s/schemas.py $(K8S_SCHEMAS)/wheel/kubernetes_validate-*.whl $(K8S_SCHEMAS) $(K8S_VERSIONS)
	rm -rf $(K8S_SCHEMAS)/wheel
	echo $(K8S_VERSIONS) > $@

clean: stop
	rm -rf $(VENV) .data infra/kafka/target $(WEB)/node_modules $(addsuffix /dist,$(WEB_PACKAGES))

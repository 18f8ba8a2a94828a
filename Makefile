# dispatch-chaos — every target does its own set-up; `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TOXIPROXY := .tools/bin/toxiproxy-server
PYTEST_ARGS ?=
CI ?=

.PHONY: help demo test test-unit lint fmt bench images up down status clean lock schema compose-file toxiproxy

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-13s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

venv: $(STAMP)

toxiproxy: $(STAMP) ## find or build the real Toxiproxy server v2.12.0 (.tools/bin/)
	@$(PY) -m harness.toxiproxy.binary >/dev/null

demo: toxiproxy ## replay the September 2020 incident on the local backend (about 90 s)
	$(VENV)/bin/harness run scenarios/september-2020.yaml

test: toxiproxy ## the whole suite: unit, integration, compose (Docker), e2e
	$(PY) -m pytest $(PYTEST_ARGS)

test-unit: $(STAMP) ## only the fast, socket-free unit tests
	$(PY) -m pytest tests/unit -q $(PYTEST_ARGS)

lint: $(STAMP) ## ruff and mypy (strict on harness/, mock_services/ and bench/)
	$(VENV)/bin/ruff check harness mock_services tests bench
	$(VENV)/bin/ruff format --check harness mock_services tests bench
	$(VENV)/bin/mypy

fmt: $(STAMP) ## format the code and apply safe ruff fixes
	$(VENV)/bin/ruff format harness mock_services tests bench
	$(VENV)/bin/ruff check --fix harness mock_services tests bench

bench: toxiproxy ## measure the performance targets (README); prints a table of ratios
	$(PY) -m bench

images: toxiproxy ## build the Docker images (offline: debootstrap base when no pull works)
	$(PY) -m harness.backends.build_images

up: toxiproxy ## start the local stack in the background
	$(VENV)/bin/harness up

down: $(STAMP) ## stop the stack started by `make up`
	$(VENV)/bin/harness down

status: $(STAMP) ## show every service endpoint and proxy of the running stack
	$(VENV)/bin/harness status

schema: $(STAMP) ## regenerate docs/scenario.schema.json from the scenario model
	$(PY) -m harness.model.schema > docs/scenario.schema.json

compose-file: $(STAMP) ## regenerate docker-compose.yml from the default topology
	$(PY) -m harness.backends.compose_file scenarios/topologies/meldkamer-nl.yaml > docker-compose.yml

lock: ## re-pin requirements.lock from pyproject.toml (needs PyPI)
	$(PY) -m piptools compile --quiet --extra dev --generate-hashes --strip-extras --allow-unsafe -o requirements.lock pyproject.toml

clean: ## remove the stack state, reports and caches (keeps .venv and .tools)
	-@test -x $(VENV)/bin/harness && $(VENV)/bin/harness down >/dev/null 2>&1 || true
	rm -rf .harness reports .mypy_cache .ruff_cache .hypothesis build *.egg-info

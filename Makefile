# Paraat — the README's two commands are `make run` and `make test`; both run `make setup` first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Data (Neo4j home, generated passwords, reports) stays inside the checkout unless set.
export PARAAT_DATA_DIR ?= $(CURDIR)/.paraat
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1

.PHONY: setup run test lint typecheck bench clean-data

setup: $(VENV)/.paraat-setup
	@$(BIN)/paraat neo4j install >/dev/null

# Re-installs only when the dependencies change; uv reuses its download cache (~/.cache/uv),
# so torch and the models are fetched once per machine, not per checkout or test run.
$(VENV)/.paraat-setup: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Paraat needs Python 3.11, found " + sys.version.split()[0]'
	@command -v java >/dev/null || { echo "Java 17+ is needed (apt-get install openjdk-17-jre-headless)"; exit 1; }
	@command -v mvn >/dev/null || { echo "Maven is needed (apt-get install maven)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "uv>=0.5,<1"
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode -e '.[dev]'
	touch $@

run: setup
	$(BIN)/paraat up

test: setup lint
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	$(BIN)/paraat bench all --out .paraat/bench

clean-data:
	-$(BIN)/paraat neo4j stop
	rm -rf .paraat

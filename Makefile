# Omnivox: `make run` serves it on a fresh machine; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.dev-installed

.PHONY: run test lint typecheck unit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(STAMP)

## Install, migrate the embedded SQLite database, create the demo organisation, serve on :8000.
run: $(STAMP)
	$(BIN)/omnivox db upgrade
	$(BIN)/omnivox demo seed
	$(BIN)/omnivox serve --host 127.0.0.1 --port 8000

lint: $(DEVSTAMP)
	$(BIN)/ruff check

typecheck: $(DEVSTAMP)
	$(BIN)/mypy

## Install development dependencies and run lint, type checks, migrations check and all tests.
test: $(DEVSTAMP)
	$(BIN)/ruff check
	$(BIN)/mypy
	$(BIN)/python -m omnivox.migration_check
	$(BIN)/pytest -n 2 --dist loadgroup --ignore=tests/e2e
	# Browser tests on their own, so timing assertions do not compete with the rest.
	$(BIN)/pytest tests/e2e

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# TARSy: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export LANGGRAPH_CLI_NO_ANALYTICS := 1
export LANGGRAPH_NO_VERSION_CHECK := 1
export LANGSMITH_TRACING := false

.PHONY: run test lint fmt typecheck test-py install system-deps clean bench

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

## Serve TARSy on http://127.0.0.1:8080 (embedded PostgreSQL; demo mode without LLM credentials).
run: install
	$(VENV)/bin/tarsy serve

## Every test, plus lint and the type checker.
test: install system-deps lint test-py

test-py: install
	$(PY) -m pytest -q -p no:cacheprovider

lint: install
	$(VENV)/bin/ruff check tarsy tests
	$(VENV)/bin/ruff format --check tarsy tests
	$(VENV)/bin/mypy

fmt: install
	$(VENV)/bin/ruff check --fix tarsy tests
	$(VENV)/bin/ruff format tarsy tests

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .langgraph_api

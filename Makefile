# Vänort: `make run` serves the demo, `make test` runs every check.
# Only python3 (3.11+) and make are needed; everything else is installed here.

PYTHON ?= python3
BOOT := var/bootstrap
UV := $(BOOT)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Installed packages compiled to bytecode once, here: a worker would otherwise compile them
# at every start where PYTHONDONTWRITEBYTECODE is set (about a second per worker).
export UV_COMPILE_BYTECODE := 1

.PHONY: run serve setup test lint format test-sqlite test-postgres browser messages benchmark clean

$(UV):
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/pip install --quiet --disable-pip-version-check "uv>=0.8,<1"

$(BIN)/vanort: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet
	touch $@

setup: $(BIN)/vanort

run: setup
	$(BIN)/vanort migrate --noinput
	$(BIN)/vanort load-demo
	$(BIN)/vanort collectstatic --noinput --verbosity 0
	@echo "Vänort is at http://$(HOST):$(PORT)/"
	$(SERVE)

# The server alone (scripts/benchmark.py reads this command with `make -n serve`):
# granian, whose HTTP handling is in Rust, sends a cached page about five times as fast as
# gunicorn's sync workers can send fixed bytes (docs/deploy.md). One thread per worker, as
# gunicorn's sync workers had: a cached page is sent as fast, and each thread more cost
# 4-5 MB of RSS under load (measured 118, 122 and 132 MB for 1, 2 and 4 threads).
SERVE = $(BIN)/granian --interface wsgi --no-ws --host $(HOST) --port $(PORT) --workers 2 \
	--blocking-threads 1 --respawn-failed-workers vanort.wsgi:application
serve:
	$(SERVE)

# ruff, no model change without its migration (on a throw-away in-memory database), and
# mypy with django-stubs on the domain (pyproject.toml's [tool.mypy]).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DATABASE_URL=sqlite:///:memory: $(BIN)/vanort makemigrations --check --dry-run
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# npm packages for the browser tests (the Nu Html Checker) and the map data (world-atlas).
# --ignore-scripts: vnu-jar would otherwise download a Java; Debian's Java 17 is used.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Chromium for the browser tests, from Debian where apt-get can install it.
browser:
	@command -v /usr/bin/chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "Chromium is not installed: the browser tests will be skipped (they fail under CI=true)."

# The browser tests (marker `browser`) run here only, on SQLite: they check pages, not the
# database, and running them twice would double the slowest part of the suite.
# pytest-xdist runs the tests in one process per core; --dist loadfile keeps a file's tests
# together, so the demo register they share is loaded once per file and worker.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=10

test-sqlite: setup node_modules/.package-lock.json browser
	$(PYTEST)

test-postgres: setup
	$(BIN)/python scripts/with_postgres.py -- $(PYTEST) -m "not browser"

test: lint test-sqlite test-postgres

messages: setup
	$(BIN)/vanort makemessages -l sv -l en --ignore=.venv --ignore=var --ignore=node_modules
	$(BIN)/vanort compilemessages -l sv -l en --ignore=.venv --ignore=var

# Figures, not a test (issue 14): the page and the API under `make run` and through the
# production stack, against nginx static and Datasette; ARGS=--long adds the 60 s runs.
# The import and start-up figures: $(BIN)/python scripts/benchmark_imports.py
# Then the national register's pages and lists (issue 16), cold and warm, with their query
# counts, on SQLite and on PostgreSQL, over every Wikipedia pair and a generated register.
benchmark: setup
	$(BIN)/python scripts/benchmark.py $(ARGS)
	$(BIN)/python scripts/benchmark_render.py
	$(BIN)/python scripts/benchmark_national.py
	$(BIN)/python scripts/with_postgres.py -- $(BIN)/python scripts/benchmark_national.py

clean:
	rm -rf var/static .pytest_cache

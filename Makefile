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

.PHONY: run setup test lint format test-sqlite test-postgres messages benchmark clean

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
	$(BIN)/gunicorn vanort.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-sqlite: setup
	$(BIN)/pytest

test-postgres: setup
	$(BIN)/python scripts/with_postgres.py -- $(BIN)/pytest

test: lint test-sqlite test-postgres

messages: setup
	$(BIN)/vanort makemessages -l sv -l en --ignore=.venv --ignore=var
	$(BIN)/vanort compilemessages -l sv -l en --ignore=.venv --ignore=var

clean:
	rm -rf var/static .pytest_cache

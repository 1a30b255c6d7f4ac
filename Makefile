# The two commands a new user needs: `make run` and `make test`. Everything else is for us.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Two workers: the suite is CPU-bound and machines here have two cores.
PYTEST_ARGS ?= -n 2

.PHONY: run test lint typecheck format migrations-check check-deploy bench clean

# Re-install when the dependencies change.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $@

## run: install, migrate the embedded SQLite database, load demo data, serve on :$(PORT)
run: $(BIN)/.installed
	PORT=$(PORT) VENV=$(VENV) scripts/run.sh

## test: the whole test suite (PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL are set)
test: $(BIN)/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## typecheck: mypy with the Django and DRF stubs (configuration in pyproject.toml)
typecheck: $(BIN)/.installed
	DJANGO_DEBUG=1 $(BIN)/mypy

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(BIN)/.installed
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

## check-deploy: Django's deployment checklist with production-like settings
check-deploy: $(BIN)/.installed
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$(openssl rand -base64 48)" \
	DJANGO_ALLOWED_HOSTS=smarketing.example.com \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

## bench: performance figures against raw SQL, written to bench/results.json (PostgreSQL)
bench: $(BIN)/.installed
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3* .broker staticfiles .pytest_cache

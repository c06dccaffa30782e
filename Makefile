# Minqing: two commands set everything up.
#   make demo   install, migrate SQLite, seed the demo county, collect static files, serve http://127.0.0.1:8000
#               with gunicorn and the tasks worker (DEBUG off; Ctrl+C stops both)
#   make test   install test tools, lint, run the suite on SQLite (and PostgreSQL when DATABASE_URL is set)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: install demo serve test lint typecheck pytest-sqlite pytest-postgres bench load clean

install: $(VENV)/.installed frontend/dist/.built

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[test]"
	touch $@

frontend/dist/.built: frontend/package.json frontend/package-lock.json frontend/build.mjs
	cd frontend && npm ci --no-audit --no-fund --silent && npm run --silent build
	touch $@

# The demo runs like production with DEBUG off: gunicorn (gunicorn.conf.py) + the tasks worker, static files
# collected into $(MINQING_VAR_DIR)/static and served by whitenoise, the project's own error pages.
# MINQING_DEMO=1 allows the throwaway SECRET_KEY, plain HTTP and SQLite (and makes `check --deploy` fail).
DEMO_ENV := env -u DATABASE_URL -u TESTING DEBUG=0 MINQING_DEMO=1

demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(DEMO_ENV) $(PY) manage.py serve_demo --bind $(HOST) --workers 2

serve: install
	DEBUG=1 $(PY) manage.py runserver $(HOST)

# Settings are read with TESTING=1 (throwaway key, SQLite): mypy's Django plugin imports them, and the
# migration check must not need a database server. A model change without its migration fails here.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	@$(MAKE) --no-print-directory typecheck
	env -u DATABASE_URL TESTING=1 $(PY) manage.py makemigrations --check --dry-run

# mypy + django-stubs; configuration (strict by default, untyped apps listed) in pyproject.toml [tool.mypy].
typecheck: install
	env -u DATABASE_URL TESTING=1 $(VENV)/bin/mypy

pytest-sqlite: install
	@if [ -x "$(CHROMIUM)" ]; then echo "Browser tests: $(CHROMIUM)"; \
	 else echo "NOTE: no chromium at $(CHROMIUM): browser tests will be SKIPPED (apt-get install chromium)"; fi
	env -u DATABASE_URL TESTING=1 $(VENV)/bin/pytest -n auto --dist loadfile

pytest-postgres: install
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "Running the suite on PostgreSQL ($$DATABASE_URL)"; \
	  TESTING=1 $(VENV)/bin/pytest -n auto --dist loadfile --create-db -m "not sqlite_only"; \
	else echo "DATABASE_URL is not set: PostgreSQL run skipped"; fi

test: lint pytest-sqlite pytest-postgres

bench: install
	$(PY) bench/registry.py

# Load test of the production server: gunicorn (gunicorn.conf.py, DEBUG=0) on a free 127.0.0.1 port, stopped at
# the end; both mixes, 20 clients, 30 s each, on DATABASE_URL (else the SQLite demo). More: bench/load.py --help
#   make load LOAD_ARGS="--soak 600 --mix full"
LOAD_ARGS ?=
load: install
	$(PY) bench/load.py --start $(LOAD_ARGS)

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist var

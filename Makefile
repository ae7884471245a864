# IPM Portal: the two set-up commands are `make run` and `make test` (see README.md).
# Plain POSIX make: no GNU-only functions. Each target creates or reuses the virtual
# environment in $(VENV) and installs requirements-dev.txt when a requirements file changed.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
ARGS ?=

PY = $(VENV)/bin/python
STAMP = $(VENV)/.requirements-installed
TEST_SETTINGS = ipm_portal.settings_test
# Run a second time on SQLite by `make test`: search has a backend per database, and
# deconfliction matches and records pairs in SQL both databases must take.
SQLITE_TESTS = tests/test_search.py tests/test_search_web.py tests/test_deconfliction.py
# Run again with SEARCH_ENGINE=tantivy (issue 15): the same answers from the engine.
ENGINE_TESTS = tests/test_search.py tests/test_search_web.py
# Directories that message extraction and compilation must not walk into.
I18N_IGNORE = --ignore=.venv --ignore=$(VENV) --ignore=staticfiles --ignore=media --ignore=node_modules

.PHONY: help install run test lint format messages clean distclean bench-search bench-deconfliction screenshots

help:
	@echo "make run       serve the demo portal at http://127.0.0.1:$(PORT) (SQLite, tasks in-process, demo data)"
	@echo "make test      run the whole test suite against PostgreSQL and Redis (ARGS=... for pytest)"
	@echo "make lint      ruff check, ruff format --check, lint-imports, makemigrations --check, mypy"
	@echo "make format    fix imports and format the code with ruff"
	@echo "make messages  extract and compile the en/fr/es translation files"
	@echo "make install   create or update the virtual environment in $(VENV)"
	@echo "make bench-search  seed a benchmark database once and measure the search through gunicorn (needs wrk; ARGS=...)"
	@echo "make bench-deconfliction  seed 1,000,000 case subjects once and time a case's save with its match (ARGS=...)"
	@echo "make screenshots  PNGs of the main pages (desktop and phone) into docs/screenshots/ (needs chromium)"
	@echo "make clean     remove caches and collected static files; make distclean also removes $(VENV) and db.sqlite3"

install: $(STAMP)

# The virtual environment; needs Python 3.11 or newer.
$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
		v=$$($(PYTHON) --version 2>&1) || v="not found"; \
		echo "IPM Portal needs Python 3.11 or newer, but '$(PYTHON)' is $$v: install one and run e.g. 'make PYTHON=python3.11 run'." >&2; \
		exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create $(VENV) (on Debian or Ubuntu: apt-get install python3-venv)." >&2; exit 1; }

# Installs again only when a requirements file is newer than the stamp.
$(STAMP): $(PY) requirements.txt requirements-dev.txt
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
		echo "$(VENV) was made with Python older than 3.11: run 'make distclean' and try again." >&2; exit 1; }
	@echo "Installing requirements-dev.txt into $(VENV) (about a minute the first time)..."
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	@touch $(STAMP)

# Embedded default: DEBUG on, SQLite, tasks in-process (DATABASE_URL and REDIS_URL unset on purpose).
run: $(STAMP)
	@unset DATABASE_URL REDIS_URL DJANGO_SETTINGS_MODULE; DEBUG=true; export DEBUG; \
	SEARCH_ENGINE=tantivy SEARCH_INDEXER_IN_PROCESS=true; export SEARCH_ENGINE SEARCH_INDEXER_IN_PROCESS; \
	set -e; \
	$(PY) manage.py migrate --noinput; \
	if ! ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then :; \
	elif command -v msgfmt >/dev/null 2>&1; then $(PY) manage.py compilemessages $(I18N_IGNORE) --verbosity 0; \
	else echo "msgfmt not found: using the committed .mo files."; fi; \
	$(PY) manage.py seed_demo; \
	$(PY) manage.py rebuild_search_index; \
	$(PY) manage.py search_rebuild; \
	exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite on PostgreSQL and Redis (DATABASE_URL / REDIS_URL, default the local servers).
# DEBUG is unset so the result never depends on the caller's shell.
test: $(STAMP)
	@unset DEBUG; $(PY) scripts/check_services.py
	@unset DEBUG; DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS); export DJANGO_SETTINGS_MODULE; \
	$(PY) -m pytest -n auto $(ARGS)
	@echo "The search tests again, on SQLite (the embedded default's FTS5 backend):"
	@unset DEBUG; $(PY) -m pytest -q $(SQLITE_TESTS) --ds=ipm_portal.settings_test_sqlite
	@echo "The search tests on the search engine (Tantivy), on PostgreSQL and on SQLite:"
	@unset DEBUG; SEARCH_ENGINE=tantivy DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS); export SEARCH_ENGINE DJANGO_SETTINGS_MODULE; \
	$(PY) -m pytest -q -n auto $(ENGINE_TESTS)
	@unset DEBUG; SEARCH_ENGINE=tantivy $(PY) -m pytest -q $(ENGINE_TESTS) --ds=ipm_portal.settings_test_sqlite

# The import-linter contracts and mypy's settings are in pyproject.toml; mypy's Django plugin
# loads the test settings.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	@unset DEBUG; DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS); export DJANGO_SETTINGS_MODULE; \
	$(PY) manage.py makemigrations --check --dry-run
	@unset DEBUG; DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS); export DJANGO_SETTINGS_MODULE; \
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix --exit-zero .
	$(VENV)/bin/ruff format .

messages: $(STAMP)
	@unset DEBUG; DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS); export DJANGO_SETTINGS_MODULE; set -e; \
	$(PY) manage.py makemessages -l en -l fr -l es $(I18N_IGNORE); \
	$(PY) manage.py compilemessages $(I18N_IGNORE)

# The search benchmark (docs/PERFORMANCE.md): its own database per scale (ipm_bench; ipm_bench_1m with
# ARGS="--products 1000000"; or BENCH_DATABASE_URL), production settings, wrk (apt-get install wrk).
BENCH_DATABASE_URL ?=
bench-search: $(STAMP)
	@unset DEBUG REDIS_URL DJANGO_SETTINGS_MODULE DATABASE_URL; BENCH_DATABASE_URL=$(BENCH_DATABASE_URL); \
	export BENCH_DATABASE_URL; $(PY) bench/search.py $(ARGS)

# The deconfliction benchmark (docs/PERFORMANCE.md): its own database, production settings, and
# Redis as the broker the saves hand their events to (a queue of the run's own, deleted after).
BENCH_DECONFLICTION_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ipm_bench_deconfliction
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/15
bench-deconfliction: $(STAMP)
	@unset DEBUG DJANGO_SETTINGS_MODULE; DATABASE_URL=$(BENCH_DECONFLICTION_DATABASE_URL); \
	REDIS_URL=$(BENCH_REDIS_URL); export DATABASE_URL REDIS_URL; \
	$(PY) bench/deconfliction.py $(ARGS)

# Screenshots of the main pages on a desktop and a phone into docs/screenshots/ (README.md): a
# throw-away SQLite demo database, the development server on a free port, /usr/bin/chromium
# (another: CHROMIUM=/path) driven by Playwright. ARGS=--only=guide,case for some pages.
screenshots: $(STAMP)
	@unset DEBUG DATABASE_URL REDIS_URL DJANGO_SETTINGS_MODULE; $(PY) scripts/screenshots.py $(ARGS)

clean:
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache staticfiles test-artifacts

distclean: clean
	rm -rf $(VENV) db.sqlite3

# The two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal

.PHONY: run test install lint format messages bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the Python ones rely on: msgfmt (translations), HarfBuzz-Subset (WeasyPrint's
# font subsetting for decision letters). Installed only when missing.
.system-packages:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	ldconfig -p | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing; fi
	touch $@

install: .system-packages $(VENV)/.installed node_modules/.installed

# Compiled catalogues are built here, not committed.
messages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

## make run: install, migrate, seed the demo data, serve on http://127.0.0.1:8000 with worker and beat
run: install messages
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --verbosity 0
	bash scripts/run.sh

## make test: lint, then the whole suite against PostgreSQL
# The browser tests (tests/browser) drive Debian's chromium, never a browser Playwright downloads,
# and the Nu Html Checker needs java. Under CI a missing one is installed here, and a browser
# that still cannot start fails the run; elsewhere those tests are skipped with a warning.
test: install messages lint
	@case "$${CI:-}" in true|TRUE|True|1|yes) \
	  missing=""; \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	  if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing; fi;; \
	esac
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(PY) scripts/check_services.py
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache .hypothesis .system-packages

# The two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal

.PHONY: run test install lint format messages bench load chaos clean security

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

## make bench: release-time benchmark (not part of make test): 100,000 applications in their own
## database (portal_bench, seeded once), queue vs Django admin, sweeps, emails/s; writes
## bench/results/latest.json (BENCHMARKS.md explains it). Needs PostgreSQL and Redis.
bench: install messages
	@$(PY) bench/run.py

# The load generator lives in its own venv, so `make install` stays small.
LOAD_VENV ?= .venv-load
$(LOAD_VENV)/.installed: bench/requirements-load.txt
	test -x $(LOAD_VENV)/bin/python || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOAD_VENV)/bin/python -m pip install --quiet -r bench/requirements-load.txt
	touch $@

## make load: release-time load test (not part of make test): locust, 40 users for 60 s, against
## gunicorn (2 workers) on the benchmark database, then the capacity steps (bench/capacity.py:
## open-loop, mixed pages vs a trivial view); writes bench/results/load.json.
load: install messages $(LOAD_VENV)/.installed
	@$(PY) bench/load.py
	@$(PY) bench/capacity.py

## make chaos: release-time fault test (not part of make test): under load, a Celery worker
## SIGKILLed, Redis restarted, the broker unreachable for 30 s; counts failed pages, lost and
## duplicated notices; writes bench/results/chaos.json. Needs PostgreSQL and redis-server.
chaos: install messages
	@$(PY) bench/chaos.py

## make lint (part of make test): ruff, the import contracts between apps (pyproject.toml),
## mypy over the services, selectors and both engines, and no missing migration
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

## make security: before a release, not part of make test: bandit, then wapiti and sqlmap against
## the portal served with production settings and demo data; fails on any finding (SECURITY.md)
# The scanners live in their own virtualenv; reports go to security-reports/ (git-ignored).
SECURITY_VENV ?= .venv-security
SECURITY_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_security
$(SECURITY_VENV)/.installed: requirements-security.txt
	test -x $(SECURITY_VENV)/bin/python || $(PYTHON) -m venv $(SECURITY_VENV)
	$(SECURITY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SECURITY_VENV)/bin/python -m pip install --quiet -r requirements-security.txt
	touch $@

security: install messages $(SECURITY_VENV)/.installed
	DATABASE_URL=$(SECURITY_DATABASE_URL) $(PY) scripts/check_services.py
	SECURITY_VENV=$(SECURITY_VENV) SECURITY_DATABASE_URL=$(SECURITY_DATABASE_URL) \
	  $(PY) scripts/security/run.py

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) $(LOAD_VENV) node_modules staticfiles .pytest_cache .ruff_cache .mypy_cache .hypothesis .system-packages

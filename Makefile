# MLSD Studio: `make run` serves on http://127.0.0.1:8000, `make test` runs every test,
# `make lint` runs ruff, mypy and ESLint.
# Both install what is missing first: the .venv, pip and npm packages, Graphviz, Chromium.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint deps dev-deps graphviz chromium bench clean

# Serving installs requirements.txt only; tests, lint and benchmarks add requirements-dev.txt
# (pytest, Playwright, ruff, mypy) and npm's devDependencies (ESLint).
$(VENV)/.installed-run: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-run requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed-run: package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-dev
	@touch $@

node_modules/.installed-dev: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@ node_modules/.installed-run

graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null); \
	  else echo "Graphviz is missing: install it with 'sudo apt-get install graphviz' (exports need it)."; fi; }

chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null); \
	  else echo "Chromium is missing: install it with 'sudo apt-get install chromium' (browser tests need it)."; fi; }

deps: $(VENV)/.installed-run node_modules/.installed-run graphviz

dev-deps: $(VENV)/.installed-dev node_modules/.installed-dev graphviz

run: deps
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py collectstatic --noinput -v 0
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: dev-deps chromium
	$(PY) -m pytest
	node --test tests/js/

# Lint, format and types: the same checks as CI (.ci/run runs this before the tests).
lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	npx --no-install eslint .

bench: dev-deps
	$(PY) bench/validate.py
	$(PY) bench/export.py
	$(PY) bench/cli.py
	$(PY) bench/live.py
	$(PY) bench/canvas.py

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache test-artifacts

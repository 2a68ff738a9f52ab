# MLSD Studio: `make run` serves on http://127.0.0.1:8000, `make test` runs every test.
# Both install what is missing first: the .venv, pip and npm packages, Graphviz, Chromium.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test deps graphviz chromium bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

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

deps: $(VENV)/.installed node_modules/.installed graphviz

run: deps
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py collectstatic --noinput -v 0
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: deps chromium
	$(PY) -m pytest

bench: deps
	$(PY) bench/validate.py
	$(PY) bench/export.py
	$(PY) bench/live.py

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache test-artifacts

# diethnos — `make run` serves the site with demo content; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench browser-deps service-deps clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The task worker (it sends the e-mail) runs in the background beside the server and is
# stopped with it, however the server stops. Unlike the server it does not reload itself:
# after changing a task, run `make run` again.
run: $(STAMP)
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py load_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py regenerate_renditions
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py ensure_editor
	export DJANGO_DEBUG=$${DJANGO_DEBUG:-1}; \
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used)
# and axe-core from npm.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium; }
	@test -f node_modules/axe-core/axe.min.js || npm install --no-save --silent axe-core@4.14.1

# The deployment, outage and frontend-cache tests start their own nginx, redis-server and
# varnishd (Debian's packages), and make a certificate with openssl.
service-deps:
	@test -x /usr/sbin/nginx || { apt-get update -q && apt-get install -y -q nginx; }
	@test -x /usr/bin/redis-server || { apt-get update -q && apt-get install -y -q redis-server; }
	@test -x /usr/bin/openssl || { apt-get update -q && apt-get install -y -q openssl; }
	@test -x /usr/sbin/varnishd || { apt-get update -q && apt-get install -y -q varnish; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(STAMP) browser-deps service-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# `make bench BENCH_ARGS=--load` measures the page cache under load (see tests/bench.py).
bench: $(STAMP)
	$(BIN)/python -m tests.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache

# Two entry points: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast typecheck bench lint format clean system-packages

# Debian packages the tests use: Chromium (browser tests), poppler-utils (pdftoppm renders the
# PDF certificates), Pango (WeasyPrint). Installed with apt when missing and run as root.
SYSTEM_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,demo]'
	touch $(STAMP)

demo: $(STAMP)
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "Starting web (http://127.0.0.1:8000), worker + beat, and the Heap sandbox. Ctrl-C stops all."
	DEBUG=true PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile start

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Tests keep their own var/ (test database file, embedded broker queue) apart from the demo's.
test: system-packages $(STAMP)
	DEBUG=true VAR_DIR=var/test $(BIN)/pytest $(PYTEST_ARGS)

# Everything but the slow tests (browser, real processes, large data, fuzzing): for the edit loop.
test-fast: $(STAMP)
	DEBUG=true VAR_DIR=var/test $(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

# Figures, never pass/fail: PostgreSQL + Redis (BENCH_DATABASE_URL, BENCH_BROKER_URL) and the sandbox.
# Writes bench/results/<date>-<name>.json and bench/results/<date>.md. The console and exports
# load 250,000 one-subject requests: with the big request, over 1,000,000 audit events.
bench: $(STAMP)
	$(BIN)/python bench/e2e.py
	$(BIN)/python bench/console.py --singles 250000
	$(BIN)/python bench/exports.py --singles 250000
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/report.py

# mypy with the Django and DRF plugins over heapprivacy/ ([tool.mypy] in pyproject.toml); .ci/run
# runs it too.
typecheck: $(STAMP)
	DEBUG=true VAR_DIR=var/test $(BIN)/mypy

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r heapprivacy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var/test .pytest_cache

# SupplyMesh: `make run` serves the demo network, `make test` runs everything CI runs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install install-test system-deps run test lint typecheck pytest demo clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

install-test: install $(VENV)/.installed-test

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Debian packages the tests need: PostgreSQL, Mosquitto and Chromium (real servers, real browser).
system-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v mosquitto >/dev/null 2>&1 || test -x /usr/sbin/mosquitto || missing="$$missing mosquitto"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: install
	$(BIN)/supplymesh demo --scale full --if-empty
	@echo "Demo logins (password demo1234): hce.admin (manufacturer), blsteel.admin (supplier), yjretail.admin (retailer); all in README"
	$(BIN)/supplymesh serve --host 127.0.0.1 --port 8000

lint: install-test
	$(BIN)/ruff check src tests migrations scripts
	$(BIN)/ruff format --check src tests migrations scripts
	$(BIN)/lint-imports

typecheck: install-test
	$(BIN)/mypy

# Two workers by default (the CI machine has 2 cores); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
pytest: install-test system-deps
	$(BIN)/pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist worksteal

test: install-test system-deps lint typecheck pytest

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .pytest_cache

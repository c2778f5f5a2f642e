# Two entry points (see README): `make demo` and `make test`. Both install everything they need.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test browser bench boundaries

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet ".[test,bench]"

# Debian's chromium renders the maps in the browser tests (no browser download at run time).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(BIN)/coterm demo --out maps

test: install-test browser
	$(BIN)/python -m pytest -q

bench: install-test
	$(BIN)/python benchmarks/run.py

# Rebuild the bundled catalogue from the shared ONS corpus (developers only; users get boundaries/ as is).
boundaries: $(BIN)/python
	$(BIN)/pip install --quiet "tomli-w>=1.0"
	$(BIN)/python tools/build_boundaries.py --source ../shared/data --out boundaries
	$(BIN)/python tools/build_bcu_scenario.py

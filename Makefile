# Two entry points (see README): `make demo` and `make test`. Both install everything they need.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test browser postgis qgis bench boundaries

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet ".[test,bench,postgis,notebook]"

# Debian's chromium renders the maps in the browser tests (no browser download at run time).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian's PostgreSQL + PostGIS: tests/test_postgis.py starts a throw-away server (initdb/pg_ctl) from these binaries.
postgis:
	@ls /usr/lib/postgresql/*/lib/postgis-3.so >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql postgis >/dev/null; }

# Debian's QGIS (about a minute to install): tests/test_qgis_styles.py opens and draws the styled GeoPackage headless.
qgis:
	@/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends qgis >/dev/null; }

demo: install
	$(BIN)/coterm demo --out maps

# the suite on three processes (pytest-xdist) plus every docstring example in the package: on 2 cores three
# beat two (197 vs 227 s) because browser, database and signal tests spend part of their time waiting; four lost (221 s)
test: install-test browser postgis qgis
	$(BIN)/python -m pytest -q -n 3 --doctest-modules src/coterm tests

bench: install-test
	$(BIN)/python benchmarks/run.py

# Rebuild the bundled catalogue from the shared ONS corpus (developers only; users get boundaries/ as is).
boundaries: $(BIN)/python
	$(BIN)/pip install --quiet "tomli-w>=1.0"
	$(BIN)/python tools/build_boundaries.py --source ../shared/data --out boundaries
	$(BIN)/python tools/build_bcu_scenario.py

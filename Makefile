# Quickstart: `make demo` runs the main job on the shipped demo data; `make test` runs the suite.
VENV    ?= .venv
PY      := $(VENV)/bin/python
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEMO    ?= build/demo

.PHONY: install sysdeps test lint demo bench clean approvals

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP) sysdeps
	@# Bytecode as a wheel install has it (this machine sets PYTHONDONTWRITEBYTECODE, so an
	@# editable install would compile every module on every start).
	@$(PY) -m compileall -q src >/dev/null
	@echo "bwvdisclose is installed in $(VENV). To run it: . $(VENV)/bin/activate (then bwvdisclose --help),"
	@echo "or call $(BIN)/bwvdisclose, or: ln -s \"$$PWD/$(BIN)/bwvdisclose\" ~/.local/bin/"

# poppler-utils gives pdftoppm (page images) and pdfsig (independent signature check).
# libharfbuzz-subset0 lets WeasyPrint subset fonts in C; its fontTools fallback is
# deprecated and makes a record render about twice as slow.
# postgresql gives initdb/pg_ctl for the throwaway test cluster (no server is left running);
# softhsm2 is a real PKCS#11 token library; opensc gives pkcs11-tool.
SYSPKGS := poppler-utils libharfbuzz-subset0 postgresql softhsm2 opensc
PGBIN   := $(firstword $(wildcard /usr/lib/postgresql/*/bin))

sysdeps:
	@command -v pdfsig >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && \
	  /sbin/ldconfig -p | grep -q libharfbuzz-subset.so.0 && \
	  [ -x "$(PGBIN)/initdb" ] && [ -e /usr/lib/softhsm/libsofthsm2.so ] && \
	  command -v softhsm2-util >/dev/null 2>&1 && command -v pkcs11-tool >/dev/null 2>&1 || \
	  { echo "installing $(SYSPKGS) (apt-get, through sudo when not root)"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSPKGS) >/dev/null; }

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

test: lint sysdeps
	$(BIN)/pytest -q

demo: install
	@bash scripts/demo.sh "$(BIN)" "$(DEMO)"

# TEST approvals of the shipped policy folders by the demo policy owner (demo/ca/);
# run after changing or adding a folder under criteria/.
approvals: install
	@bash scripts/approve_demo_policies.sh "$(BIN)"

bench: install
	$(PY) bench/run.py
	$(PY) bench/pg_bench.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache

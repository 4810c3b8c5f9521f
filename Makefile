# BDR Desk — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
export QT_QPA_PLATFORM ?= $(if $(DISPLAY)$(WAYLAND_DISPLAY),,offscreen)

.PHONY: run test bench lint venv clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "BDR Desk needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Re-install when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e '.[test,dev]'
	@touch $@ $(VENV)/.installed-run

venv: $(VENV)/.installed-run

## Open the app on the demo workspace (an embedded SQLite file, seeded on first run).
run: $(VENV)/.installed-run
	$(VENV)/bin/bdr-desk --demo

## Run the whole suite headless; the PostgreSQL tier uses a throwaway server the tests start.
test: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.run_all

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check bdr_desk accounts content_library ui resources tests bench
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
